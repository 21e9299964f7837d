import type { DeviceTopic } from "../../broker/topics.ts";
import type { AppDatabase } from "../db/database.ts";
import type { AntennaRole, DeviceKind } from "../db/schema.ts";

export interface ShelfConfig {
  shelfId: string;
  itemTypeCode: string;
  tareKg: number;
  unitWeightKg: number;
  /** Rated load-cell capacity, gross; null when not recorded (the default limit applies). */
  capacityKg: number | null;
}

export interface AntennaConfig {
  role: AntennaRole;
  zone: string;
}

export interface RegisteredDevice {
  id: string;
  siteCode: string;
  kind: DeviceKind;
  enabled: boolean;
  shelf: ShelfConfig | null;
  /** RFID readers: what each antenna port watches. */
  antennas: Map<number, AntennaConfig>;
}

/**
 * Registered devices, held in memory because the broker asks about one on every message.
 * Call reload() after any change to devices or shelves.
 */
export class DeviceRegistry {
  #devices = new Map<string, RegisteredDevice>();
  readonly #select;
  readonly #selectAntennas;

  constructor(database: AppDatabase) {
    this.#select = database.sqlite.prepare(
      `SELECT d.id, d.site_code AS siteCode, d.kind, d.enabled,
              s.id AS shelfId, s.item_type_code AS itemTypeCode, s.tare_kg AS tareKg, s.unit_weight_kg AS unitWeightKg,
              s.capacity_kg AS capacityKg
       FROM devices d LEFT JOIN shelves s ON s.device_id = d.id`,
    );
    this.#selectAntennas = database.sqlite.prepare(
      "SELECT device_id AS deviceId, antenna, role, zone FROM reader_antennas",
    );
    this.reload();
  }

  reload(): void {
    const next = new Map<string, RegisteredDevice>();
    for (const row of this.#select.all() as Array<Record<string, unknown>>) {
      next.set(row.id as string, {
        id: row.id as string,
        siteCode: row.siteCode as string,
        kind: row.kind as DeviceKind,
        enabled: row.enabled === 1,
        shelf:
          row.shelfId == null
            ? null
            : {
                shelfId: row.shelfId as string,
                itemTypeCode: row.itemTypeCode as string,
                tareKg: row.tareKg as number,
                unitWeightKg: row.unitWeightKg as number,
                capacityKg: (row.capacityKg as number | null) ?? null,
              },
        antennas: new Map(),
      });
    }
    for (const row of this.#selectAntennas.all() as Array<
      AntennaConfig & { deviceId: string; antenna: number }
    >) {
      next.get(row.deviceId)?.antennas.set(row.antenna, { role: row.role, zone: row.zone });
    }
    this.#devices = next;
  }

  get(id: string): RegisteredDevice | undefined {
    return this.#devices.get(id);
  }

  /** The zone an antenna watches; an antenna nobody mapped counts as a storage zone of its own. */
  antenna(deviceId: string, antenna: number | null): AntennaConfig {
    const port = antenna ?? 0;
    return this.#devices.get(deviceId)?.antennas.get(port) ?? { role: "storage", zone: `antenna ${port}` };
  }

  get size(): number {
    return this.#devices.size;
  }

  /**
   * Null when the device named in the topic may send this message; otherwise why not.
   * Any registered device of the site may send status (heartbeat, last will); data only on its own kind.
   */
  refusal(topic: DeviceTopic): string | null {
    const device = this.#devices.get(topic.deviceId);
    if (!device) return `device "${topic.deviceId}" is not registered`;
    if (!device.enabled) return `device "${topic.deviceId}" is disabled`;
    if (device.siteCode !== topic.siteCode) {
      return `device "${topic.deviceId}" belongs to site ${device.siteCode}, not ${topic.siteCode}`;
    }
    if (topic.kind !== "status" && topic.kind !== device.kind) {
      return `device "${topic.deviceId}" is a ${device.kind} device and may not publish ${topic.kind} messages`;
    }
    return null;
  }
}
