// The webview's side of the channel to the extension host.
import { MessageHandler, PANEL_STATE_VERSION, type Scenario, type Snapshot, type ToWebview, type WebviewEvent, type WebviewRequests } from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class Host {
  private readonly api = acquireVsCodeApi();
  readonly requests = new MessageHandler<WebviewRequests>((message) => this.api.postMessage(message));
  /** Called when the host pushes a new snapshot (another loss, changed settings). */
  onSnapshot: (snapshot: Snapshot) => void = () => {};

  constructor() {
    window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
      const message = event.data;
      if (message.type === 'reply') this.requests.settle(message);
      else if (message.type === 'snapshot') this.onSnapshot(message.snapshot);
    });
  }

  send(event: WebviewEvent): void {
    this.api.postMessage(event);
  }

  /** Saved by VS Code and handed to the panel serializer after a reload. */
  saveScenario(scenario: Scenario): void {
    this.api.setState({ version: PANEL_STATE_VERSION, scenario });
  }
}
