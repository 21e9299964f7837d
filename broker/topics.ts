/**
 * Topic names, in one place. Devices publish to `sites/{siteCode}/{kind}/{deviceId}`
 * (see shared/docs/device-formats.md); nothing else in the code builds or splits topics by hand.
 */

export const TOPIC_KINDS = ["rfid", "shelf", "env", "status"] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export interface DeviceTopic {
  siteCode: string;
  kind: TopicKind;
  deviceId: string;
}

/** Site codes and device ids: letters, digits, '-' and '_', 1 to 64 characters. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const isIdentifier = (value: string): boolean => IDENTIFIER.test(value);

export type TopicParse = { ok: true; topic: DeviceTopic } | { ok: false; reason: string };

export function parseDeviceTopic(topic: string): TopicParse {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[0] !== "sites") {
    return { ok: false, reason: `topic "${clip(topic)}" is not sites/{siteCode}/{kind}/{deviceId}` };
  }
  const [, siteCode = "", kind = "", deviceId = ""] = parts;
  if (!isIdentifier(siteCode)) return { ok: false, reason: `site code "${clip(siteCode)}" is not valid` };
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, reason: `topic kind "${clip(kind)}" is not one of ${TOPIC_KINDS.join(", ")}` };
  }
  if (!isIdentifier(deviceId)) return { ok: false, reason: `device id "${clip(deviceId)}" is not valid` };
  return { ok: true, topic: { siteCode, kind: kind as TopicKind, deviceId } };
}

export function deviceTopic(siteCode: string, kind: TopicKind, deviceId: string): string {
  return `sites/${siteCode}/${kind}/${deviceId}`;
}

/** What the ingest subscribes to when it is a client of a broker: every device's data and status. */
export const DATA_TOPIC_FILTERS: readonly string[] = TOPIC_KINDS.map((kind) => `sites/+/${kind}/+`);

/**
 * A cluster member passes each device message on as `ingest/{receivedAtMs}/sites/{site}/{kind}/{id}`:
 * MQTT 3.1.1 has no user properties, so the time the member received it travels in the topic, and
 * the platform stamps readings without a device time with it however long the message then waited
 * in Redis. Only a member publishes there: a device may publish only to its own `sites/…` topics
 * and the ingest account publishes nothing, so the time is the member's own.
 */
const MEMBER_PREFIX = "ingest/";

export const MEMBER_TOPIC_FILTERS: readonly string[] = TOPIC_KINDS.map(
  (kind) => `${MEMBER_PREFIX}+/sites/+/${kind}/+`,
);

/** Everything the ingest subscribes to: plain device topics (any broker) and members' stamped ones. */
export const INGEST_TOPIC_FILTERS: readonly string[] = [...DATA_TOPIC_FILTERS, ...MEMBER_TOPIC_FILTERS];

export function memberTopic(receivedAtMs: number, topic: string): string {
  return `${MEMBER_PREFIX}${Math.trunc(receivedAtMs)}/${topic}`;
}

/**
 * A member's stamped topic: its receipt time and the device topic. null for anything else,
 * including a stamp that is not a millisecond count (then the topic is refused as it stands).
 */
export function parseMemberTopic(topic: string): { receivedAt: number; topic: string } | null {
  if (!topic.startsWith(MEMBER_PREFIX)) return null;
  const slash = topic.indexOf("/", MEMBER_PREFIX.length);
  const stamp = topic.slice(MEMBER_PREFIX.length, slash);
  if (slash < 0 || !/^\d{1,15}$/.test(stamp)) return null;
  return { receivedAt: Number(stamp), topic: topic.slice(slash + 1) };
}

/** Where the platform sends a device its commands; the only topic a device may subscribe to. */
export function commandTopic(siteCode: string, deviceId: string): string {
  return `sites/${siteCode}/cmd/${deviceId}`;
}

/** Keeps reasons short and printable when a hostile topic is echoed back in a dead letter. */
function clip(value: string, max = 80): string {
  const printable = value.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
