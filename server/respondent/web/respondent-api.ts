import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { completeResponse, LinkState, saveAnswersInProgress } from '../respondent';

/**
 * The respondent page's two API calls on a personal link, autosave and completion: what they answer, shared by the
 * express routes (`respondent.ts`) and the fast path that answers ordinary calls without express
 * (`respondent-fast-path.ts`), so that both say exactly the same.
 */

export type OpenLink = Extract<LinkState, { kind: 'open' }>;

/** A JSON answer: status and body (none for 204). */
export interface ApiAnswer {
  status: number;
  body?: Record<string, unknown>;
}

export const CALLS = {
  progress: { method: 'PUT', path: 'progress' },
  complete: { method: 'POST', path: 'complete' },
} as const;
export type ApiCall = keyof typeof CALLS;

/** The largest body an autosave or completion may have. */
export const BODY_LIMIT_BYTES = 256 * 1024;
export const BODY_LIMIT = '256kb';

/** Why a call on this link is refused before its body matters; undefined when the link is open. */
export function linkRefusal(link: LinkState): HttpError | undefined {
  switch (link.kind) {
    case 'open':
      return undefined;
    case 'throttled':
      return new HttpError(429, 'Too many unknown links from this address; try again later');
    case 'not-found':
      return new HttpError(404, 'Unknown link');
    case 'completed':
      return new HttpError(409, 'This questionnaire has already been completed');
    case 'closed':
      return new HttpError(410, 'This survey is closed');
    case 'ended':
      return new HttpError(410, 'This survey has ended; its links no longer work');
    default:
      return new HttpError(403, 'This survey is not open yet');
  }
}

/** A body that is JSON but not an object (an array, say) is refused; so is one that was not JSON at all. */
export function bodyRefusal(body: unknown): HttpError | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return new HttpError(400, 'The body must be a JSON object');
  return undefined;
}

export async function answerCall(
  deps: AppDeps,
  call: ApiCall,
  link: OpenLink,
  body: Record<string, unknown>,
): Promise<ApiAnswer> {
  if (call === 'progress') {
    const result = await saveAnswersInProgress(deps.db, link, {
      answers: body.answers,
      pageNo: body.pageNo,
      locale: body.locale,
      seq: body.seq,
    });
    if (!result.ok && 'completed' in result) return refusal(409, 'This questionnaire has already been completed');
    // an older save than the copy kept (sent before a newer one, arrived after it): the newer copy stays
    if (!result.ok && 'stale' in result)
      return refusal(409, 'A newer copy of these answers was saved already', { stale: true });
    if (!result.ok) return refusal(422, 'The answers could not be saved', { errors: result.errors });
    return { status: 204 };
  }
  const result = await completeResponse(deps.db, link, { answers: body.answers, locale: body.locale }, deps.clock());
  if (result.status === 'invalid') return refusal(422, 'Some answers are not valid', { errors: result.errors });
  if (result.status === 'already-completed') return refusal(409, 'This questionnaire has already been completed');
  return { status: 201, body: { status: 'completed' } };
}

/** The JSON body of a refusal, as the error middleware writes it for API clients. */
export function refusal(status: number, message: string, details?: object): ApiAnswer {
  return { status, body: { error: message, ...details } };
}
