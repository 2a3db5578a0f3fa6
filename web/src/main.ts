// The playground page: the form and the link hash hold the scenario, a worker runs it, the CLI's
// report text and the charts come back.
import { DEFAULT_PROFILE, PROFILE_NAMES } from '../../src/policy.js';
import {
  scenarioFromHash,
  scenarioToCommandLine,
  scenarioToHash,
  type PlaygroundScenario,
} from '../../src/share/scenario-link.js';
import { fillForm, readForm, showFieldsFor } from './form.js';
import type { WorkerMessage } from './protocol.js';
import type { PlaygroundResult } from './run.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>('scenario');
const progress = $<HTMLProgressElement>('progress');
const progressLabel = $('progress-label');
const message = $('message');
const errorBox = $('error');
const results = $('results');
const charts = $('charts');
const cancel = $<HTMLButtonElement>('cancel');

let worker: Worker | undefined;

function showError(text: string | undefined): void {
  errorBox.hidden = text === undefined;
  errorBox.textContent = text ?? '';
}

function setProgress(label: string, done = 0, total = 1): void {
  progressLabel.textContent = label;
  progress.max = Math.max(total, 1);
  progress.value = Math.min(done, progress.max);
}

function stop(label: string): void {
  worker?.terminate();
  worker = undefined;
  cancel.disabled = true;
  document.body.removeAttribute('aria-busy');
  setProgress(label);
}

function render(r: PlaygroundResult): void {
  results.replaceChildren(
    ...r.sections.map((s) => {
      const section = document.createElement('section');
      const h = document.createElement('h2');
      h.textContent = s.title;
      const pre = document.createElement('pre');
      pre.id = s.id;
      pre.tabIndex = 0; // wide tables scroll sideways: keyboard users need to reach them
      pre.setAttribute('aria-label', s.title);
      pre.textContent = s.text;
      section.append(h, pre);
      return section;
    }),
  );
  // The SVG text comes from our own chart code, which escapes every label.
  charts.innerHTML = r.charts.map((svg) => `<figure>${svg}</figure>`).join('');
}

function run(s: PlaygroundScenario): void {
  stop('Starting…');
  delete document.body.dataset.state;
  showError(undefined);
  message.textContent = '';
  $('cli').textContent = scenarioToCommandLine(s);
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker = w;
  cancel.disabled = false;
  document.body.setAttribute('aria-busy', 'true');
  const started = performance.now();
  w.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const m = e.data;
    if (m.type === 'progress') {
      setProgress(`${m.label}: ${m.done}/${m.total} ${m.unit}`, m.done, m.total);
    } else if (m.type === 'done') {
      render(m.result);
      stop('Done');
      message.textContent = `Finished in ${Math.round(performance.now() - started)} ms.`;
      document.body.dataset.state = 'done';
    } else {
      stop('Refused');
      showError(m.message);
      document.body.dataset.state = 'error';
    }
  };
  w.onerror = (e) => {
    stop('Failed');
    showError(e.message || 'the worker failed to start');
    document.body.dataset.state = 'error';
  };
  w.postMessage({ scenario: s });
}

/** Reads the form; a refused value shows the CLI's message and returns undefined. */
function scenarioFromForm(): PlaygroundScenario | undefined {
  try {
    return readForm(form);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    document.body.dataset.state = 'error';
    return undefined;
  }
}

function runHash(): void {
  if (location.hash.length <= 1) return;
  try {
    const s = scenarioFromHash(location.hash);
    fillForm(form, s);
    run(s);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    document.body.dataset.state = 'error';
  }
}

async function copy(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    message.textContent = `${what} copied.`;
  } catch {
    message.textContent = `${what}: ${text}`; // no clipboard access (e.g. plain http): show it to copy by hand
  }
}

/** Datalist suggestions for the profile fields (any text may be typed). */
const SUGGESTIONS = [
  ['profile-names', PROFILE_NAMES],
  ['profile-lists', ['v4.7,v6.9', PROFILE_NAMES.join(',')]],
] as const;
for (const [id, values] of SUGGESTIONS) {
  $(id).replaceChildren(...values.map((v) => Object.assign(document.createElement('option'), { value: v })));
}

(form.elements.namedItem('profile') as HTMLInputElement).placeholder = DEFAULT_PROFILE;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const s = scenarioFromForm();
  if (s === undefined) return;
  history.replaceState(null, '', `#${scenarioToHash(s)}`);
  run(s);
});
$('command').addEventListener('change', () => showFieldsFor(form));
cancel.addEventListener('click', () => {
  stop('Cancelled');
  message.textContent = 'Run cancelled.';
});
$('copy-link').addEventListener('click', () => {
  const s = scenarioFromForm();
  if (s) void copy(`${location.href.replace(/#.*$/, '')}#${scenarioToHash(s)}`, 'Link');
});
$('copy-cli').addEventListener('click', () => {
  const s = scenarioFromForm();
  if (s) void copy(scenarioToCommandLine(s), 'Command line');
});
for (const [input, target] of [
  ['trace-file', 'trace'],
  ['text-file', 'text'],
] as const) {
  $<HTMLInputElement>(input).addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file)
      void file.text().then((text) => {
        (form.elements.namedItem(target) as HTMLTextAreaElement).value = text;
      });
  });
}
window.addEventListener('hashchange', runHash);

showFieldsFor(form);
runHash();
