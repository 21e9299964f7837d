/** Domain errors, mapped to HTTP status codes in one place (app.ts's error handler). */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message, 404);
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string) {
    super(message, 400);
  }
}
