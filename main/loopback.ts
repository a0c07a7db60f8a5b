/**
 * The Host headers a server bound to 127.0.0.1 accepts: its own port, by address or as localhost.
 * Any other Host (another name that resolves to 127.0.0.1) is how DNS rebinding reaches a loopback
 * server from a web page, so the browser bridge and the return page both refuse it. No electron import.
 */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}
