import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadRootspan } from '@rootspan/views';

import { App } from './App';
import { loadSample, type Input } from './inputs';

// `?sample` opens the page with the sample incident already analysing (a link that shows rootspan at work):
// the sample and the package are loaded before the first render.
const initial: Promise<Input[] | undefined> = new URLSearchParams(window.location.search).has('sample')
  ? Promise.all([loadSample(), loadRootspan()]).then(([inputs]) => inputs)
  : Promise.resolve(undefined);

void initial.then((initialInputs) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App initialInputs={initialInputs} />
    </StrictMode>
  )
);
