/** The refusals of a meter event request (contract 8.1), as the HTTP layer answers them. */
import { AppError, NotFoundError } from '../core/errors';

/** A well-formed event that is refused (422); `problems` names every one. */
export class MeterEventRejected extends AppError {
  constructor(
    readonly problems: readonly string[],
    context: Record<string, unknown> = {},
  ) {
    super('unprocessable', `meter event refused: ${problems.join('; ')}`, { context: { ...context, problems } });
  }
}

/** The enterprise or meter is not in the configuration (404). */
export class UnknownMeter extends NotFoundError {
  constructor(enterprise: string, meter: string) {
    super(`meter ${enterprise}/${meter}`, { enterprise, meter });
  }
}
