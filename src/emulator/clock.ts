import { MinHeap } from "./heap.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export interface ScheduledTask {
  cancel(): void;
}

/**
 * The emulator's own time. It runs `speed` times faster than real time and can be jumped forward,
 * so rules measured in minutes (token lifetime, the 10-minute sync rule, processing delays) are testable in seconds.
 * Every timed effect goes through `schedule`, which keeps one real timer for the earliest task.
 */
export class EmulatorClock {
  private baseEmulated: number;
  private baseReal: number;
  private speedFactor: number;
  private readonly timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private closed = false;
  private advancing = false;

  constructor(options: { speed: number; start?: number }) {
    this.speedFactor = options.speed;
    this.baseEmulated = options.start ?? Date.now();
    this.baseReal = performance.now();
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return this.baseEmulated + (performance.now() - this.baseReal) * this.speedFactor;
  }

  get speed(): number {
    return this.speedFactor;
  }

  /** Changes the speed from now on without a jump in emulated time. */
  setSpeed(speed: number): void {
    this.baseEmulated = this.now();
    this.baseReal = performance.now();
    this.speedFactor = speed;
    this.rearm(true);
  }

  /** Jumps emulated time forward and runs every task that became due before returning. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError("the clock only moves forward");
    const target = this.now() + ms;
    this.advancing = true;
    try {
      // Each task runs at its own due time, so what it schedules (the next processing phase) counts from then,
      // not from the end of the jump.
      for (let timer = this.timers.peek(); timer && timer.at <= target; timer = this.timers.peek()) {
        this.timers.pop();
        if (timer.cancelled) continue;
        this.baseEmulated += Math.max(0, timer.at - this.now());
        timer.run();
      }
      this.baseEmulated += Math.max(0, target - this.now());
      this.rearm(true);
    } finally {
      this.advancing = false;
    }
  }

  /** True inside advance(): tasks must finish their work synchronously instead of yielding. */
  get isAdvancing(): boolean {
    return this.advancing;
  }

  /** Converts an emulated duration into the real milliseconds a client will experience. */
  toRealMs(emulatedMs: number): number {
    return emulatedMs / this.speedFactor;
  }

  /** Runs `run` once emulated time reaches `at` (epoch ms). */
  scheduleAt(at: number, run: () => void): ScheduledTask {
    const timer: Timer = { at, seq: this.seq++, run, cancelled: false };
    this.timers.push(timer);
    if (at < this.armedFor) this.rearm(true);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Drops every pending task (reset) but keeps the time. */
  clearTasks(): void {
    this.timers.clear();
    this.rearm(true);
  }

  /** Stops all real timers; the clock can no longer run tasks. */
  close(): void {
    this.closed = true;
    this.timers.clear();
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  private runDue(): void {
    const now = this.now();
    for (let timer = this.timers.peek(); timer && timer.at <= now; timer = this.timers.peek()) {
      this.timers.pop();
      if (!timer.cancelled) timer.run();
    }
    this.rearm(true);
  }

  private rearm(force: boolean): void {
    if (this.closed) return;
    let next = this.timers.peek();
    while (next?.cancelled) {
      this.timers.pop();
      next = this.timers.peek();
    }
    const at = next?.at ?? Infinity;
    if (!force && at >= this.armedFor) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.armedFor = at;
    if (at === Infinity) return;
    // setTimeout caps at 2^31-1 ms; a longer wait simply re-arms when it fires.
    const delay = Math.min(Math.max(0, Math.ceil((at - this.now()) / this.speedFactor)), 2_147_483_647);
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.armedFor = Infinity;
      this.runDue();
    }, delay);
    this.realTimer.unref();
  }
}
