// The report the rootspan package makes in Node for the inputs a page was given: what the panel's and the web
// demo's browser tests check the page against, so they follow the core as it grows instead of hard-coding results.
import type { Options, Report, Session } from 'rootspan';

/** Analyses what `add` puts into a fresh session (a FrameError is not fatal: the page shows a notice too). */
export async function referenceReport(add: (session: Session) => Promise<unknown>, options: Options = {}): Promise<Report> {
  const { Session, FrameError } = await import('rootspan');
  const session = await Session.create();
  try {
    try {
      await add(session);
    } catch (e) {
      if (!(e instanceof FrameError)) {
        throw e;
      }
    }
    return await session.analyze(options);
  } finally {
    session.close();
  }
}
