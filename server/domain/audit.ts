/**
 * Quantity audits (储备库存数量清查): what the sensors found at a site during the audit window against
 * the book. Two independent checks, because each hides what the other shows: tag by tag (a missing
 * tag is reported even when another tag of its type, or a shelf count, makes the total come out
 * right), and quantity by quantity for the item types something counted. Pure: the caller gathers
 * the tags and counts for the window and decides what to do with the findings.
 */

export interface AuditInput {
  siteCode: string;
  /** Tags the book says are at the site: registered to the site and not known to have left (epc -> item type, units). */
  expectedTags: ReadonlyArray<{ epc: string; itemTypeCode: string; units: number }>;
  /** Tags read at the site during the window (present or not), with what the registry says (null itemTypeCode when unknown). */
  seenTags: ReadonlyArray<{ epc: string; itemTypeCode: string | null; units: number }>;
  /** Per item type: book quantity; and the counted quantity where something counted it during the window (shelves read, or tags of that type read). */
  book: Readonly<Record<string, number>>;
  counted: Readonly<Record<string, number>>;
}

export interface AuditFindings {
  /** Expected but not seen, by epc. */
  missingTags: Array<{ epc: string; itemTypeCode: string; units: number }>;
  /** Seen but not expected, unknown tags included, by epc. */
  unexpectedTags: Array<{ epc: string; itemTypeCode: string | null; units: number }>;
  /** Item types counted in the window whose count differs from the book (difference = counted - book), by item type. */
  mismatches: Array<{ itemTypeCode: string; bookQty: number; countedQty: number; difference: number }>;
  /** The book corrections that would make the book match the count: quantity = difference, signed. */
  proposedAdjustments: Array<{ itemTypeCode: string; quantity: number }>;
  clean: boolean;
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One entry per epc (the first), so a tag listed twice is neither reported twice nor double-counted. */
function uniqueByEpc<T extends { epc: string }>(tags: readonly T[]): Map<string, T> {
  const byEpc = new Map<string, T>();
  for (const tag of tags) if (!byEpc.has(tag.epc)) byEpc.set(tag.epc, tag);
  return byEpc;
}

function own(record: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function compareAudit(input: AuditInput): AuditFindings {
  const expected = uniqueByEpc(input.expectedTags);
  const seen = uniqueByEpc(input.seenTags);

  const missingTags = [...expected.values()]
    .filter((tag) => !seen.has(tag.epc))
    .map(({ epc, itemTypeCode, units }) => ({ epc, itemTypeCode, units }))
    .sort((a, b) => byCode(a.epc, b.epc));
  const unexpectedTags = [...seen.values()]
    .filter((tag) => !expected.has(tag.epc))
    .map(({ epc, itemTypeCode, units }) => ({ epc, itemTypeCode, units }))
    .sort((a, b) => byCode(a.epc, b.epc));

  // Only counted item types are compared: an item type nothing counted in the window (no shelf
  // sensor, no tag of it read) is unknown, not zero, and proposing to write it off would be wrong.
  // A counted type absent from the book has a book quantity of zero.
  const mismatches = Object.keys(input.counted)
    .sort(byCode)
    .flatMap((itemTypeCode) => {
      const countedQty = own(input.counted, itemTypeCode);
      if (countedQty === undefined || !Number.isFinite(countedQty)) return [];
      const bookQty = own(input.book, itemTypeCode) ?? 0;
      const difference = countedQty - bookQty;
      return difference === 0 ? [] : [{ itemTypeCode, bookQty, countedQty, difference }];
    });
  const proposedAdjustments = mismatches.map(({ itemTypeCode, difference }) => ({
    itemTypeCode,
    quantity: difference,
  }));

  return {
    missingTags,
    unexpectedTags,
    mismatches,
    proposedAdjustments,
    clean: missingTags.length === 0 && unexpectedTags.length === 0 && mismatches.length === 0,
  };
}
