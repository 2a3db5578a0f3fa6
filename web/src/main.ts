// The playground page: the form and the link hash hold the scenario, a worker runs it, the CLI's
// report text and the charts come back. inspect takes a capture instead, which stays in the tab.
import { DEFAULT_PROFILE, PROFILE_NAMES } from '../../src/policy.js';
import {
  scenarioFromHash,
  scenarioToCommandLine,
  scenarioToHash,
  type PlaygroundScenario,
} from '../../src/share/scenario-link.js';
import { commandOf, fillForm, fillInspectForm, readForm, showFieldsFor } from './form.js';
import type { CaptureUpload } from './inspect-run.js';
import type { RunRequest, WorkerMessage } from './protocol.js';
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
/** inspect: the capture chosen last, and what its run gave (the command line, the derived scenario). */
let capture: CaptureUpload | undefined;
let inspected: PlaygroundResult | undefined;

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
  if (r.derived) results.append(derivedSection(r));
  // The SVG text comes from our own chart code, which escapes every label.
  charts.innerHTML = r.charts.map((svg) => `<figure>${svg}</figure>`).join('');
}

/** inspect: what a link can carry of the capture (the derived scenario), or why nothing. */
function derivedSection(r: PlaygroundResult): HTMLElement {
  const section = document.createElement('section');
  const h = document.createElement('h2');
  h.textContent = 'link';
  const p = document.createElement('p');
  p.id = 'derived';
  const d = r.derived!;
  if ('scenario' in d) {
    const a = document.createElement('a');
    a.href = `#${scenarioToHash(d.scenario)}`;
    a.textContent = scenarioToCommandLine(d.scenario);
    p.append('The captured files are not in the link. "Copy link" copies the scenario derived from them, ', a, '.');
  } else {
    p.textContent = `The captured files are not in the link, and no scenario can be derived: ${d.reason}.`;
  }
  section.append(h, p);
  return section;
}

function run(request: RunRequest, commandLine: string): void {
  stop('Starting…');
  delete document.body.dataset.state;
  showError(undefined);
  message.textContent = '';
  inspected = undefined;
  $('cli').textContent = commandLine;
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
      if ('capture' in request) inspected = m.result;
      if (m.result.commandLine) $('cli').textContent = m.result.commandLine;
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
  w.postMessage(request);
}

function runScenario(s: PlaygroundScenario): void {
  run({ scenario: s }, scenarioToCommandLine(s));
}

function inspectProfile(): string | undefined {
  return (form.elements.namedItem('profile') as HTMLInputElement).value.trim() || undefined;
}

/** inspect: the address keeps the command and the profile override only (the files stay in the tab). */
function runInspect(): void {
  const profile = inspectProfile();
  history.replaceState(null, '', `#inspect${profile ? `?profile=${encodeURIComponent(profile)}` : ''}`);
  if (!capture) {
    showError('Choose a capture first: the archive or the folder that iova-lab capture wrote.');
    document.body.dataset.state = 'error';
    return;
  }
  run({ capture, profile }, `iova-lab inspect --root DIR${profile ? ` --profile ${profile}` : ''}`);
}

/** The upload an input's chosen files make; the other capture input is cleared. */
function chooseCapture(input: HTMLInputElement): void {
  const files = [...(input.files ?? [])];
  if (files.length === 0) return;
  $<HTMLInputElement>(input.id === 'capture-archive' ? 'capture-folder' : 'capture-archive').value = '';
  capture =
    input.id === 'capture-archive'
      ? { kind: 'archive', name: files[0].name, file: files[0] }
      : { kind: 'folder', files: files.map((f) => ({ path: f.webkitRelativePath || f.name, file: f })) };
  runInspect();
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
  const inspect = /^#inspect(?:\?(.*))?$/.exec(location.hash);
  if (inspect) {
    fillInspectForm(form, new URLSearchParams(inspect[1] ?? '').get('profile') ?? undefined);
    showFields();
    message.textContent = 'Choose a capture to inspect: its files are not part of links.';
    document.body.dataset.state = 'waiting';
    return;
  }
  try {
    const s = scenarioFromHash(location.hash);
    fillForm(form, s);
    showFields();
    runScenario(s);
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

/** The profile field's default: inspect takes it from the capture's /proc/version. */
function showFields(): void {
  showFieldsFor(form);
  const profile = form.elements.namedItem('profile') as HTMLInputElement;
  profile.placeholder = commandOf(form) === 'inspect' ? 'from /proc/version' : DEFAULT_PROFILE;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (commandOf(form) === 'inspect') {
    runInspect();
    return;
  }
  const s = scenarioFromForm();
  if (s === undefined) return;
  history.replaceState(null, '', `#${scenarioToHash(s)}`);
  runScenario(s);
});
$('command').addEventListener('change', showFields);
cancel.addEventListener('click', () => {
  stop('Cancelled');
  message.textContent = 'Run cancelled.';
});
const linkTo = (s: PlaygroundScenario): string => `${location.href.replace(/#.*$/, '')}#${scenarioToHash(s)}`;
$('copy-link').addEventListener('click', () => {
  if (commandOf(form) === 'inspect') {
    const d = inspected?.derived;
    if (d && 'scenario' in d) void copy(linkTo(d.scenario), 'Link to the scenario derived from the capture');
    else showError(`No link: ${d ? d.reason : 'inspect a capture first'} (the captured files are not in links).`);
    return;
  }
  const s = scenarioFromForm();
  if (s) void copy(linkTo(s), 'Link');
});
$('copy-cli').addEventListener('click', () => {
  if (commandOf(form) === 'inspect') {
    void copy(inspected?.commandLine ?? `iova-lab inspect --root DIR`, 'Command line');
    return;
  }
  const s = scenarioFromForm();
  if (s) void copy(scenarioToCommandLine(s), 'Command line');
});
for (const id of ['capture-archive', 'capture-folder']) {
  $<HTMLInputElement>(id).addEventListener('change', (e) => chooseCapture(e.target as HTMLInputElement));
}
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

showFields();
runHash();
