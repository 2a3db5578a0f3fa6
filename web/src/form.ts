// The scenario form: its controls are named by the link keys (the CLI's long option names), so
// reading it is decoding a link and the CLI's checks refuse bad values with the CLI's messages.
import {
  linkKeys,
  scenarioFromEntries,
  scenarioToEntries,
  type LinkCommand,
  type PlaygroundScenario,
} from '../../src/share/scenario-link.js';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function controls(form: HTMLFormElement): Control[] {
  const all = form.querySelectorAll<Control>('input[name], select[name], textarea[name]');
  return [...all].filter((c) => c.name !== 'command');
}

export function commandOf(form: HTMLFormElement): string {
  return (form.elements.namedItem('command') as HTMLSelectElement).value;
}

/** inspect is the page's only command outside links (a capture's files do not fit in one): its controls. */
export const INSPECT_CONTROLS = ['profile', 'capture-archive', 'capture-folder'];

/** Enables the controls the command takes; a group with none of them is hidden. */
export function showFieldsFor(form: HTMLFormElement): void {
  const command = commandOf(form);
  const keys = new Set(command === 'inspect' ? INSPECT_CONTROLS : linkKeys(command as LinkCommand));
  for (const c of controls(form)) c.disabled = !keys.has(c.name);
  for (const group of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-group]')) {
    group.hidden = [...group.querySelectorAll<Control>('[name]')].every((c) => c.disabled);
  }
}

export function readForm(form: HTMLFormElement): PlaygroundScenario {
  const command = commandOf(form);
  const pairs = controls(form)
    .filter((c) => !c.disabled)
    .map((c): [string, string] => [c.name, c instanceof HTMLTextAreaElement ? c.value : c.value.trim()])
    .filter(([, v]) => v !== '');
  return scenarioFromEntries(command, pairs);
}

export function fillForm(form: HTMLFormElement, s: PlaygroundScenario): void {
  (form.elements.namedItem('command') as HTMLSelectElement).value = s.command;
  const values = new Map(scenarioToEntries(s));
  for (const c of controls(form)) c.value = values.get(c.name) ?? '';
  showFieldsFor(form);
}

/** The inspect form, its profile override set (or cleared); the chosen capture stays. */
export function fillInspectForm(form: HTMLFormElement, profile: string | undefined): void {
  (form.elements.namedItem('command') as HTMLSelectElement).value = 'inspect';
  (form.elements.namedItem('profile') as HTMLInputElement).value = profile ?? '';
  showFieldsFor(form);
}
