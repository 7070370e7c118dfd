/** The typed channel to the extension host; the only way a webview talks to it. */
interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeWebviewApi;

export interface HostChannel<ToHost> {
  post(message: ToHost): void;
}

let api: VsCodeWebviewApi | undefined;

/**
 * Connects once and dispatches only messages that pass `isIncoming`; anything
 * else is dropped, since a webview must never act on an unchecked message.
 */
export function connectToHost<ToHost, ToWebview>(isIncoming: (m: unknown) => m is ToWebview, onMessage: (m: ToWebview) => void): HostChannel<ToHost> {
  api ??= acquireVsCodeApi();
  const host = api;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isIncoming(event.data)) onMessage(event.data);
  });
  return { post: (message) => host.postMessage(message) };
}
