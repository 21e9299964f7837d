/**
 * GS1 SGTIN-96 tag identities (GS1 EPC Tag Data Standard §14.5.1) and EPC hex helpers.
 * Pure. The 96 bits are taken apart with BigInt because the serial (38 bits) and the combined
 * company prefix and item reference (44 bits) do not fit the 32-bit integers bit operators use.
 */

export interface Sgtin96 {
  /** The 24 hex digits, upper case. */
  epcHex: string;
  /** 0-7; 1 is a point-of-sale item, 3 a full case (TDS Table 10-3). */
  filter: number;
  /** 0-6: how the 44 bits are split between company prefix and item reference. */
  partition: number;
  /** Zero-padded to its digit count, because leading zeros are part of a GS1 company prefix. */
  companyPrefix: string;
  /** Zero-padded to its digit count; the first digit is the GTIN indicator digit. */
  itemReference: string;
  /** Decimal, no padding (SGTIN-96 serials are integers, so leading zeros cannot be encoded). */
  serial: string;
  gtin14: string;
  /** urn:epc:tag:sgtin-96:F.CP.IR.serial */
  tagUri: string;
  /** urn:epc:id:sgtin:CP.IR.serial */
  pureUri: string;
}

export type Sgtin96Result = { ok: true; sgtin: Sgtin96 } | { ok: false; reason: string };

const SGTIN96_HEADER = 0x30n;

/** TDS Table 14-2: bits and digits of company prefix and item reference by partition value. */
const PARTITIONS: ReadonlyArray<{ cpBits: number; cpDigits: number; irBits: number; irDigits: number }> = [
  { cpBits: 40, cpDigits: 12, irBits: 4, irDigits: 1 },
  { cpBits: 37, cpDigits: 11, irBits: 7, irDigits: 2 },
  { cpBits: 34, cpDigits: 10, irBits: 10, irDigits: 3 },
  { cpBits: 30, cpDigits: 9, irBits: 14, irDigits: 4 },
  { cpBits: 27, cpDigits: 8, irBits: 17, irDigits: 5 },
  { cpBits: 24, cpDigits: 7, irBits: 20, irDigits: 6 },
  { cpBits: 20, cpDigits: 6, irBits: 24, irDigits: 7 },
];

export function decodeSgtin96(hex: string): Sgtin96Result {
  if (!/^[0-9A-Fa-f]{24}$/.test(hex)) {
    return { ok: false, reason: `an SGTIN-96 is exactly 24 hex digits, not "${hex.slice(0, 40)}"` };
  }
  const epcHex = hex.toUpperCase();
  const bits = BigInt(`0x${epcHex}`);
  const field = (shift: number, width: number): bigint =>
    (bits >> BigInt(shift)) & ((1n << BigInt(width)) - 1n);

  const header = field(88, 8);
  if (header !== SGTIN96_HEADER) {
    return {
      ok: false,
      reason: `header 0x${epcHex.slice(0, 2)} is not the SGTIN-96 header 0x30`,
    };
  }
  const filter = Number(field(85, 3));
  const partition = Number(field(82, 3));
  const layout = PARTITIONS[partition];
  if (!layout) return { ok: false, reason: `partition ${partition} is not defined for SGTIN-96 (0-6 are)` };

  const companyValue = field(38 + layout.irBits, layout.cpBits);
  const itemValue = field(38, layout.irBits);
  const serialValue = field(0, 38);
  // The bit fields can hold more than the digit count allows (e.g. 24 bits up to 16777215 for a
  // 7-digit prefix); TDS §14.3.3 makes such a tag invalid rather than a longer number.
  if (companyValue >= 10n ** BigInt(layout.cpDigits)) {
    return {
      ok: false,
      reason: `company prefix ${companyValue} does not fit the ${layout.cpDigits} digits partition ${partition} allows`,
    };
  }
  if (itemValue >= 10n ** BigInt(layout.irDigits)) {
    return {
      ok: false,
      reason: `item reference ${itemValue} does not fit the ${layout.irDigits} digits partition ${partition} allows`,
    };
  }

  const companyPrefix = companyValue.toString().padStart(layout.cpDigits, "0");
  const itemReference = itemValue.toString().padStart(layout.irDigits, "0");
  const serial = serialValue.toString();
  // GTIN-14: indicator digit (first of the item reference) + company prefix + rest of item reference.
  const gtin13 = itemReference.slice(0, 1) + companyPrefix + itemReference.slice(1);
  return {
    ok: true,
    sgtin: {
      epcHex,
      filter,
      partition,
      companyPrefix,
      itemReference,
      serial,
      gtin14: gtin13 + gs1CheckDigit(gtin13),
      tagUri: `urn:epc:tag:sgtin-96:${filter}.${companyPrefix}.${itemReference}.${serial}`,
      pureUri: `urn:epc:id:sgtin:${companyPrefix}.${itemReference}.${serial}`,
    },
  };
}

/**
 * The SGTIN-96 EPC (upper-case hex) for a GTIN-14 and serial, the inverse of decodeSgtin96: used to
 * make tag populations for simulators and fixtures. The GTIN does not say where its company prefix
 * ends, so the caller gives the prefix length (6-12 digits), as GS1 assigned it. Throws RangeError.
 */
export function encodeSgtin96(
  gtin14: string,
  companyPrefixDigits: number,
  serial: number | bigint,
  filter = 1,
): string {
  if (!/^\d{14}$/.test(gtin14))
    throw new RangeError(`GTIN-14 must be 14 digits, not "${gtin14.slice(0, 40)}"`);
  if (gs1CheckDigit(gtin14.slice(0, 13)) !== gtin14.slice(13)) {
    throw new RangeError(`GTIN-14 ${gtin14} has a wrong check digit`);
  }
  const partition = PARTITIONS.findIndex((p) => p.cpDigits === companyPrefixDigits);
  const layout = PARTITIONS[partition];
  if (!layout) throw new RangeError(`a company prefix has 6 to 12 digits, not ${companyPrefixDigits}`);
  if (!Number.isInteger(filter) || filter < 0 || filter > 7)
    throw new RangeError(`filter ${filter} is not 0-7`);
  const serialValue = BigInt(serial);
  if (serialValue < 0n || serialValue >= 1n << 38n) {
    throw new RangeError(`serial ${serial} does not fit the 38 bits of an SGTIN-96`);
  }
  const companyPrefix = BigInt(gtin14.slice(1, 1 + companyPrefixDigits));
  // Item reference: the indicator digit first, then the GTIN digits after the company prefix.
  const itemReference = BigInt(gtin14.slice(0, 1) + gtin14.slice(1 + companyPrefixDigits, 13));
  const bits =
    (SGTIN96_HEADER << 88n) |
    (BigInt(filter) << 85n) |
    (BigInt(partition) << 82n) |
    (companyPrefix << BigInt(38 + layout.irBits)) |
    (itemReference << 38n) |
    serialValue;
  return bits.toString(16).toUpperCase().padStart(24, "0");
}

/**
 * GS1 mod-10 check digit (GS1 General Specifications §7.9.1): weights 3 and 1 alternate from the
 * rightmost digit, and the check digit brings the sum up to a multiple of 10.
 */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * An EPC as the platform keys it: upper-case hex. EPCs are whole 16-bit words from 32 to 496 bits
 * in practice; this accepts any whole number of bytes from 4 to 62 so raw TIDs and user EPCs pass
 * too. Returns null for anything else rather than guessing (no stripping of separators).
 */
export function normaliseEpcHex(value: string): string | null {
  const hex = value.trim().toUpperCase();
  if (hex.length < 8 || hex.length > 124 || hex.length % 2 !== 0 || !/^[0-9A-F]+$/.test(hex)) return null;
  return hex;
}

/**
 * Base64 (standard or URL-safe alphabet, padding optional) to upper-case hex; null if the text is
 * not canonical base64. Buffer.from(..., "base64") silently skips bad characters, so the input is
 * checked first and the round trip compared, so that a corrupted `epc` is noticed, not shortened.
 */
export function base64ToHex(b64: string): string | null {
  const text = b64.trim().replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length === 0 || unpadded.length % 4 === 1) return null;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return null;
  const bytes = Buffer.from(unpadded, "base64");
  if (bytes.toString("base64").replace(/=+$/, "") !== unpadded) return null;
  return bytes.toString("hex").toUpperCase();
}
