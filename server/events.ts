import { EventEmitter } from "node:events";
import type { AlertRow } from "./services/alerts.ts";

/** Event name -> payload. One typed bus instead of loose emitter strings. */
export interface PlatformEvents {
  /** Readings of one ingest batch are stored. */
  "ingest.stored": { messages: number; readings: number; lastJournalId: number };
  /** The sensed or book quantity of an item type at a site may have changed. */
  "stock.changed": { siteCode: string; itemTypeCode: string };
  "ingest.dead-letter": { topic: string; reason: string };
  "alert.changed": { change: "raised" | "cleared" | "acknowledged"; alert: AlertRow };
  /** A dispatch order was planned or moved a step (by a person or by RFID portal reads). */
  "dispatch.changed": { orderId: number };
  /** Units taken off (negative delta) or put on a weight shelf. */
  "shelf.movement": {
    deviceId: string;
    siteCode: string;
    itemTypeCode: string;
    fromUnits: number;
    toUnits: number;
    at: number;
  };
}

export class EventBus {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  emit<K extends keyof PlatformEvents>(name: K, payload: PlatformEvents[K]): void {
    this.#emitter.emit(name, payload);
  }

  on<K extends keyof PlatformEvents>(name: K, listener: (payload: PlatformEvents[K]) => void): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }
}
