/** An AbortSignal that fires on SIGTERM or SIGINT, for a command's lifetime. */
export function shutdownSignal(onSignal?: (name: string) => void): AbortSignal {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    onSignal?.(name);
    controller.abort(new Error(`received ${name}`));
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  return controller.signal;
}
