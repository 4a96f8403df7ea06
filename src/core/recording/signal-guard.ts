/**
 * While an operation is recorded, signals do not kill pyctl: they are noted and passed to the
 * running child, so the after-state is always written.
 */
const GUARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/**
 * Ctrl-C already reaches the child (same process group), so it is passed on only if the child
 * has not stopped after a grace period.
 */
export class SignalGuard {
  interrupted = false;
  private child: { kill(signal: NodeJS.Signals): void } | undefined;
  private readonly handlers = GUARDED.map((signal) => [signal, () => this.onSignal(signal)] as const);

  start(): this {
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
    return this;
  }

  stop(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }

  watch(child: { kill(signal: NodeJS.Signals): void } | undefined): void {
    this.child = child;
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.interrupted = true;
    const child = this.child;
    if (signal === "SIGINT") setTimeout(() => child?.kill(signal), 2000).unref();
    else child?.kill(signal);
  }
}
