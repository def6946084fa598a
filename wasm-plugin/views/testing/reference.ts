// The report the rootspan package makes in Node for the inputs a page was given: what the panel's and the web
// demo's browser tests check the page against, so they follow the core as it grows instead of hard-coding results.
import type { Options, Report, Session } from 'rootspan';

let ready: Promise<typeof import('rootspan')> | undefined;
function rootspan() {
  ready ??= import('rootspan').then(async (m) => {
    await m.init();
    return m;
  });
  return ready;
}

/** Analyses what `add` puts into a fresh session (a FrameError is not fatal: the page shows a notice too). */
export async function referenceReport(add: (session: Session) => void, options: Options = {}): Promise<Report> {
  const { Session, FrameError } = await rootspan();
  const session = new Session();
  try {
    try {
      add(session);
    } catch (e) {
      if (!(e instanceof FrameError)) {
        throw e;
      }
    }
    return session.analyze(options);
  } finally {
    session.free();
  }
}
