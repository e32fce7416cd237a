export {
  type AsyncCall,
  type CallOptions,
  type SessionInfo,
  ZStackClient,
  type ZStackClientOptions,
} from './client.js'
export { callDr, DR_API_NAMES, DR_APIS, type DrApiName, type DrParams, type DrReplies } from './dr-api.js'
export { DEFAULT_PORT, type Endpoint, parseEndpoint } from './endpoint.js'
export { causeChain, type ZStackErrorCode } from './errors.js'
export { zstackHandlers } from './handlers.js'
export type * from './inventories.js'
export { type JobRecord, JobRepository, type JobState } from './jobs/job-repository.js'
export { readLogStream } from './log-stream.js'
export { countQuery, QUERY_RESOURCES, type QueryResource, queryAll, runQuery } from './query-client.js'
export { ZStackService, type ZStackServiceDeps } from './service.js'
export { WebhookReceiver } from './webhook-receiver.js'
