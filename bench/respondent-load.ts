import type autocannon from 'autocannon';
import { DEMO_VALID } from '../test/helpers/pages';
import { Figure, load, printTable } from './lib';

/** A valid completion of demo@1 (the tests' own) */
export const DEMO_ANSWERS = DEMO_VALID;

interface FlowContext {
  token?: string;
}

/**
 * The whole respondent flow per connection, over and over with a fresh link each time:
 * open the page, autosave twice, complete. autocannon runs the four requests in order on each connection.
 */
export function respondentFlowRequests(tokens: string[]): autocannon.Request[] {
  let next = 0;
  const json = { 'content-type': 'application/json' };
  const withToken = (build: (token: string) => Partial<autocannon.Request>) =>
    ((req: autocannon.Request, context: FlowContext) => ({
      ...req,
      ...build(context.token as string),
    })) as unknown as autocannon.Request['setupRequest'];
  return [
    {
      method: 'GET',
      setupRequest: ((req: autocannon.Request, context: FlowContext) => {
        context.token = tokens[next++ % tokens.length];
        return { ...req, path: `/s/${context.token}` };
      }) as unknown as autocannon.Request['setupRequest'],
    },
    {
      method: 'PUT',
      headers: json,
      setupRequest: withToken((t) => ({
        path: `/s/${t}/progress`,
        body: JSON.stringify({ answers: { agressie_any: 1 }, pageNo: 0, locale: 'nl' }),
      })),
    },
    {
      method: 'PUT',
      headers: json,
      setupRequest: withToken((t) => ({
        path: `/s/${t}/progress`,
        body: JSON.stringify({ answers: { agressie_any: 1, agressie_kanaal: [2] }, pageNo: 1, locale: 'nl' }),
      })),
    },
    {
      method: 'POST',
      headers: json,
      setupRequest: withToken((t) => ({
        path: `/s/${t}/complete`,
        body: JSON.stringify({ answers: DEMO_ANSWERS, locale: 'nl' }),
      })),
    },
  ];
}

/** 200 connections for 60 s through the whole flow: the error rate and p99 are what count. */
export async function respondentLoad(
  url: string,
  tokens: string[],
  label: string,
  seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60),
): Promise<Figure> {
  const figure = await load(label, {
    url,
    connections: 200,
    duration: seconds,
    requests: respondentFlowRequests(tokens),
  });
  printTable(`Respondent flow under load: ${label} (200 connections, ${seconds} s; open, autosave twice, complete)`, [
    figure,
  ]);
  const rate = ((figure.errors + figure.non2xx) / Math.max(1, figure.total)) * 100;
  console.log(
    `error rate: ${rate.toFixed(3)}% (${figure.errors} connection errors of which ${figure.timeouts} timeouts, ${figure.non2xx} non-2xx, of ${figure.total} requests)`,
  );
  return figure;
}
