/**
 * One shared second-ticking clock: whatever reads `clock.now` in a template (relative times such
 * as "11 seconds ago", elapsed times of running jobs) re-renders each second, with a single timer.
 */
class Clock {
  now = $state(Date.now())

  constructor() {
    setInterval(() => {
      this.now = Date.now()
    }, 1000)
  }
}

export const clock = new Clock()
