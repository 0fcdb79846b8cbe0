// @ts-check
// Photo markup on the phone: arrow, circle, freehand and a short text label, drawn on the
// compressed photo before it is kept, in safety yellow with a dark outline (seen on any
// background), with undo. Works offline: a <canvas>, pointer events (touch, pen and mouse).
// The photo as taken is kept too; the caller stores both (photos.js) and links them.
import { t } from './i18n.js';
import { drawShape, isMark, toBlob, widths } from './marks.js';
import { h } from './ui.js';

export const MAX_LABEL_LENGTH = 40;

/** @typedef {import('./marks.js').Point} Point */
/** @typedef {import('./marks.js').Shape} Shape */
/** @typedef {import('./marks.js').Widths} Widths */
/** @typedef {'arrow' | 'circle' | 'free' | 'text'} Tool */

/** @type {{key: Tool, label: () => string, icon: string}[]} */
const TOOLS = [
  { key: 'arrow', label: () => t('Arrow'), icon: '↗' },
  { key: 'circle', label: () => t('Circle'), icon: '◯' },
  { key: 'free', label: () => t('Freehand'), icon: '〰' },
  { key: 'text', label: () => t('Text'), icon: 'T' },
];

/**
 * The drawing/undo state of one editor: the marks kept, the one being dragged, the label placed
 * but not yet kept, the chosen tool, and the undo button and count that follow the marks.
 * @typedef {{
 *   bitmap: ImageBitmap,
 *   canvas: HTMLCanvasElement,
 *   context: CanvasRenderingContext2D,
 *   size: Widths,
 *   shapes: Shape[],
 *   current: Exclude<Shape, {tool: 'text'}> | null,
 *   pending: (Shape & {tool: 'text'}) | null,
 *   tool: Tool,
 *   undo: HTMLButtonElement,
 *   count: HTMLParagraphElement,
 *   redraw: () => void,
 * }} Sketch
 */
/** The label's text field, shown once its place is tapped; `place` keeps the label as a mark.
 * @typedef {{input: HTMLInputElement, hint: HTMLParagraphElement, field: HTMLDivElement, place: () => void}} Label
 */

/** Draw the photo, then the given marks on it.
 * @param {Sketch} sketch
 * @param {(Shape | null)[]} shapes
 */
function paint(sketch, shapes) {
  sketch.context.drawImage(sketch.bitmap, 0, 0);
  for (const shape of shapes) if (shape) drawShape(sketch.context, shape, sketch.size);
}

/** The canvas showing the photo, no marks yet, the arrow chosen.
 * @param {ImageBitmap} bitmap
 * @returns {Sketch}
 */
function newSketch(bitmap) {
  const canvas = h('canvas', {
    className: 'markup__canvas',
    width: bitmap.width,
    height: bitmap.height,
    role: 'img',
    'aria-label': t('The photo. Drag on it to draw the chosen mark; with Text, tap where the label goes.'),
  });
  const undo = h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet markup__undo',
      disabled: true,
      onclick: () => {
        sketch.shapes.pop();
        sketch.redraw();
      },
    },
    h('span', { 'aria-hidden': 'true' }, '↶'),
    ` ${t('Undo')}`,
  );
  const count = h('p', { className: 'hint markup__count', role: 'status' });
  /** @type {Sketch} */
  const sketch = {
    bitmap,
    canvas,
    // a new canvas always gives a 2d context (null only for one already taken by another kind)
    context: /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')),
    size: widths(canvas),
    shapes: [],
    // the mark being dragged (a label is placed by a tap)
    current: null,
    // A label is placed first (a tap on the photo), typed after: the keyboard that opens then cannot
    // move the photo under the finger before the place is chosen.
    pending: null,
    tool: 'arrow',
    undo,
    count,
    redraw: () => {
      paint(sketch, [...sketch.shapes, sketch.current, sketch.pending]);
      undo.disabled = sketch.shapes.length === 0;
      count.textContent = sketch.shapes.length
        ? t('%(count)s mark(s) on the photo.', { count: sketch.shapes.length })
        : t('No marks yet.');
    },
  };
  return sketch;
}

/** The label's text field and its hint; both hidden until the Text tool and a tap ask for them.
 * @param {Sketch} sketch
 * @returns {Label}
 */
function labelControls(sketch) {
  const input = h('input', {
    id: 'markup-label',
    className: 'input',
    type: 'text',
    maxlength: MAX_LABEL_LENGTH,
    autocomplete: 'off',
    placeholder: t('e.g. Leak here'),
  });
  const hint = h('p', { className: 'hint markup__hint', hidden: true }, t('Tap the photo where the label goes.'));
  const place = () => {
    if (sketch.pending?.text) sketch.shapes.push(sketch.pending);
    sketch.pending = null;
    input.value = '';
    field.hidden = true;
    hint.hidden = sketch.tool !== 'text';
    sketch.redraw();
  };
  input.addEventListener('input', () => {
    if (!sketch.pending) return;
    sketch.pending.text = input.value.trim().slice(0, MAX_LABEL_LENGTH);
    sketch.redraw();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      place();
    }
  });
  const field = h(
    'div',
    { className: 'markup__label', hidden: true },
    h('label', { for: 'markup-label' }, t('Label text')),
    input,
    h('button', { type: 'button', className: 'button markup__place', onclick: place }, t('Place the label')),
  );
  return { input, hint, field, place };
}

/** A tap with the Text tool: the place is chosen now, in the photo's own pixels; the label is
 * typed below the photo.
 * @param {Sketch} sketch
 * @param {Label} label
 * @param {Point} at
 */
function startLabel(sketch, label, at) {
  sketch.pending = { tool: 'text', at, text: label.input.value.trim().slice(0, MAX_LABEL_LENGTH) };
  label.hint.hidden = true;
  label.field.hidden = false;
  label.input.focus({ preventScroll: true });
  sketch.redraw();
}

/** One button per tool; choosing another tool than Text keeps a label typed but not yet placed.
 * @param {Sketch} sketch
 * @param {Label} label
 * @returns {HTMLButtonElement[]}
 */
function toolButtons(sketch, label) {
  const buttons = TOOLS.map((entry) =>
    h(
      'button',
      {
        type: 'button',
        className: 'button button--quiet markup__tool',
        'data-tool': entry.key,
        'aria-pressed': String(entry.key === sketch.tool),
        onclick: () => {
          sketch.tool = entry.key;
          for (const button of buttons)
            button.setAttribute('aria-pressed', String(button.dataset.tool === sketch.tool));
          if (sketch.tool !== 'text') label.place();
          label.hint.hidden = sketch.tool !== 'text' || Boolean(sketch.pending);
        },
      },
      h('span', { 'aria-hidden': 'true' }, entry.icon),
      ` ${entry.label()}`,
    ),
  );
  return buttons;
}

/** Drags on the photo draw the chosen mark; with Text, a tap places the label.
 * @param {Sketch} sketch
 * @param {Label} label
 */
function listenForMarks(sketch, label) {
  const { canvas } = sketch;
  /** @returns {Point} */
  const point = (/** @type {PointerEvent} */ event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    const at = point(event);
    const tool = sketch.tool;
    if (tool === 'text') {
      startLabel(sketch, label, at);
      return;
    }
    canvas.setPointerCapture?.(event.pointerId);
    sketch.current = tool === 'free' ? { tool, points: [at] } : { tool, from: at, to: at };
    sketch.redraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    const current = sketch.current;
    if (!current) return;
    event.preventDefault();
    const at = point(event);
    if (current.tool === 'free') current.points.push(at);
    else current.to = at;
    sketch.redraw();
  });
  const finish = () => {
    if (!sketch.current) return;
    if (isMark(sketch.current, sketch.size)) sketch.shapes.push(sketch.current);
    sketch.current = null;
    sketch.redraw();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
}

/** The photo with its kept marks only (no label waiting for text, no drag under way), as a PNG:
 * no second lossy step; the photo code makes it small as it does any photo.
 * @param {Sketch} sketch
 * @returns {Promise<Blob>}
 */
function markedPhoto(sketch) {
  paint(sketch, sketch.shapes);
  return toBlob(sketch.canvas, 'image/png');
}

/**
 * Show the editor over the page for one compressed photo.
 * @param {{blob: Blob}} photo the photo as it will be kept
 * @param {{title?: string}} [options]
 * @returns {Promise<{marked: Blob | null} | null>} null when the person cancelled; `marked` is
 *   the photo with its marks (a PNG, to be compressed like any photo) or null when nothing was drawn
 */
export async function markUpPhoto(photo, { title } = {}) {
  const sketch = newSketch(await createImageBitmap(photo.blob));
  const label = labelControls(sketch);
  const tools = toolButtons(sketch, label);
  listenForMarks(sketch, label);
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const close = (/** @type {{marked: Blob | null} | null} */ answer) => {
      dialog.remove();
      document.body.classList.remove('markup-open');
      sketch.bitmap.close();
      if (opener instanceof HTMLElement) opener.focus();
      resolve(answer);
    };
    const save = h(
      'button',
      {
        type: 'button',
        className: 'button button--primary markup__save',
        onclick: async () => {
          save.disabled = true;
          label.place(); // a label typed but not yet placed is kept
          if (!sketch.shapes.length) return close({ marked: null });
          close({ marked: await markedPhoto(sketch) });
        },
      },
      t('Save the marked-up photo'),
    );
    const cancel = h(
      'button',
      { type: 'button', className: 'button button--quiet markup__cancel', onclick: () => close(null) },
      t('Cancel'),
    );
    const dialog = h(
      'div',
      { className: 'markup', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'markup-title' },
      h(
        'div',
        { className: 'markup__panel' },
        h('h2', { id: 'markup-title' }, title || t('Mark up the photo')),
        h('div', { className: 'markup__tools', role: 'toolbar', 'aria-label': t('Marks') }, tools, sketch.undo),
        h('div', { className: 'markup__stage' }, sketch.canvas),
        label.hint,
        label.field,
        sketch.count,
        h('div', { className: 'markup__actions' }, save, cancel),
      ),
    );
    document.body.append(dialog);
    document.body.classList.add('markup-open');
    sketch.redraw();
    tools[0].focus();
  });
}
