/** An API error answer: status plus the `{code, message}` body PlanetScale sends. */
export class HttpError extends Error {
  static notFound(): HttpError {
    return new HttpError(404, 'not_found', 'Not Found');
  }

  static unprocessable(message: string): HttpError {
    return new HttpError(422, 'unprocessable', message);
  }

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
