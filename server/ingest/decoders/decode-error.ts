/** A device message the platform cannot take, with a reason a person can act on (it goes to the dead letters). */
export class DecodeError extends Error {
  override name = "DecodeError";
}
