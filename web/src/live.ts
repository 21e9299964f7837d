import type { Alert, DispatchOrder, StockItem } from "./api-types.ts";

/** What the server pushes on /api/events (see server/routes/events.ts). */
export interface LiveEvents {
  stock: { siteCode: string; itemTypeCode: string; line: StockItem | null };
  alert: { change: "raised" | "cleared" | "acknowledged"; alert: Alert };
  "shelf-movement": {
    deviceId: string;
    siteCode: string;
    itemTypeCode: string;
    fromUnits: number;
    toUnits: number;
    at: string;
  };
  dispatch: DispatchOrder;
}

export type ConnectionState = "connecting" | "open" | "closed";

type Listener<K extends keyof LiveEvents> = (data: LiveEvents[K]) => void;

/**
 * One EventSource for the whole page. EventSource reconnects by itself; the state tells the
 * indicator whether updates are arriving. After a reconnect, views reload what they show, since
 * events sent while the connection was down are not replayed.
 */
export class LiveFeed {
  readonly #listeners = new Map<keyof LiveEvents, Set<Listener<keyof LiveEvents>>>();
  readonly #stateListeners = new Set<(state: ConnectionState, reconnected: boolean) => void>();
  #source: EventSource | null = null;
  #state: ConnectionState = "connecting";
  #everOpened = false;

  constructor(private readonly url = "/api/events") {}

  get state(): ConnectionState {
    return this.#state;
  }

  stop(): void {
    this.#source?.close();
    this.#source = null;
  }

  start(): void {
    if (this.#source) return;
    const source = new EventSource(this.url);
    this.#source = source;
    source.onopen = () => {
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      this.#setState("open", reconnected);
    };
    source.onerror = () => {
      this.#setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting", false);
    };
    for (const name of ["stock", "alert", "shelf-movement", "dispatch"] as const) {
      source.addEventListener(name, (event) => {
        let data: unknown;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          console.error(`live ${name}: not JSON`, event);
          return;
        }
        for (const listener of this.#listeners.get(name) ?? []) {
          try {
            listener(data as LiveEvents[typeof name]);
          } catch (err) {
            console.error(`live ${name} listener failed`, err);
          }
        }
      });
    }
  }

  on<K extends keyof LiveEvents>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<keyof LiveEvents>);
    return () => set.delete(listener as Listener<keyof LiveEvents>);
  }

  onState(listener: (state: ConnectionState, reconnected: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #setState(state: ConnectionState, reconnected: boolean): void {
    if (state === this.#state && !reconnected) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state, reconnected);
  }
}
