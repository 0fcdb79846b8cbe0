// @ts-check
// Photo markup on the phone: arrow, circle, freehand and a short text label, drawn on the
// compressed photo before it is kept, in safety yellow with a dark outline (seen on any
// background), with undo. Works offline: a <canvas>, pointer events (touch, pen and mouse).
// The photo as taken is kept too; the caller stores both (photos.js) and links them.
import { t } from './i18n.js';
import { h } from './ui.js';

export const MARK_COLOUR = '#ffd400'; // safety yellow
export const OUTLINE_COLOUR = '#111111';
export const MAX_LABEL_LENGTH = 40;

/** @typedef {[number, number]} Point a place on the photo, in its own pixels */
/** @typedef {'arrow' | 'circle' | 'free' | 'text'} Tool */
/**
 * A mark on the photo.
 * @typedef {{tool: 'arrow' | 'circle', from: Point, to: Point}
 *   | {tool: 'free', points: Point[]}
 *   | {tool: 'text', at: Point, text: string}} Shape
 */
/** @typedef {{line: number, outline: number, font: number}} Widths */

/** @type {{key: Tool, label: () => string, icon: string}[]} */
const TOOLS = [
  { key: 'arrow', label: () => t('Arrow'), icon: '↗' },
  { key: 'circle', label: () => t('Circle'), icon: '◯' },
  { key: 'free', label: () => t('Freehand'), icon: '〰' },
  { key: 'text', label: () => t('Text'), icon: 'T' },
];

/** Line widths in the photo's own pixels, so a mark looks the same on any photo size.
 * @param {HTMLCanvasElement} canvas
 * @returns {Widths}
 */
function widths(canvas) {
  const long = Math.max(canvas.width, canvas.height);
  const line = Math.max(4, Math.round(long / 120));
  return { line, outline: line + Math.max(4, Math.round(line * 0.8)), font: Math.max(18, Math.round(long / 15)) };
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {() => void} drawPath
 * @param {Widths} size
 */
function stroke(context, drawPath, size) {
  // Dark first, wide; then yellow on top: the mark reads on a white wall and on a dark machine.
  for (const [colour, width] of /** @type {[string, number][]} */ ([
    [OUTLINE_COLOUR, size.outline],
    [MARK_COLOUR, size.line],
  ])) {
    context.strokeStyle = colour;
    context.lineWidth = width;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    drawPath();
    context.stroke();
  }
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Shape} shape
 * @param {Widths} size
 */
function drawShape(context, shape, size) {
  if (shape.tool === 'arrow') {
    const [x1, y1] = shape.from;
    const [x2, y2] = shape.to;
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const head = size.line * 4;
    stroke(
      context,
      () => {
        context.moveTo(x1, y1);
        context.lineTo(x2, y2);
        for (const turn of [-0.5, 0.5]) {
          context.moveTo(x2, y2);
          context.lineTo(x2 - head * Math.cos(angle + turn), y2 - head * Math.sin(angle + turn));
        }
      },
      size,
    );
  } else if (shape.tool === 'circle') {
    const [x1, y1] = shape.from;
    const [x2, y2] = shape.to;
    const rx = Math.max(1, Math.abs(x2 - x1) / 2);
    const ry = Math.max(1, Math.abs(y2 - y1) / 2);
    stroke(context, () => context.ellipse((x1 + x2) / 2, (y1 + y2) / 2, rx, ry, 0, 0, 2 * Math.PI), size);
  } else if (shape.tool === 'free') {
    stroke(
      context,
      () => {
        const [first, ...rest] = shape.points;
        context.moveTo(first[0], first[1]);
        for (const [x, y] of rest) context.lineTo(x, y);
      },
      size,
    );
  } else if (shape.tool === 'text') {
    context.font = `700 ${size.font}px system-ui, sans-serif`;
    context.textBaseline = 'middle';
    context.lineJoin = 'round';
    context.strokeStyle = OUTLINE_COLOUR;
    context.lineWidth = Math.max(4, Math.round(size.font / 5));
    context.strokeText(shape.text, shape.at[0], shape.at[1]);
    context.fillStyle = MARK_COLOUR;
    context.fillText(shape.text, shape.at[0], shape.at[1]);
  }
}

/** Whether a drag made a mark worth keeping (a tap with the arrow tool is not an arrow).
 * @param {Shape} shape
 * @param {Widths} size
 */
function isMark(shape, size) {
  if (shape.tool === 'text') return Boolean(shape.text);
  if (shape.tool === 'free') return shape.points.length > 1;
  const [x1, y1] = shape.from;
  const [x2, y2] = shape.to;
  return Math.hypot(x2 - x1, y2 - y1) >= size.line * 2;
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {string} type
 * @returns {Promise<Blob>}
 */
function toBlob(canvas, type) {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The marked-up photo could not be encoded.'))),
      type,
    ),
  );
}

/**
 * Show the editor over the page for one compressed photo.
 * @param {{blob: Blob}} photo the photo as it will be kept
 * @param {{title?: string}} [options]
 * @returns {Promise<{marked: Blob | null} | null>} null when the person cancelled; `marked` is
 *   the photo with its marks (a PNG, to be compressed like any photo) or null when nothing was drawn
 */
export async function markUpPhoto(photo, { title } = {}) {
  const bitmap = await createImageBitmap(photo.blob);
  const canvas = h('canvas', {
    className: 'markup__canvas',
    width: bitmap.width,
    height: bitmap.height,
    role: 'img',
    'aria-label': t('The photo. Drag on it to draw the chosen mark; with Text, tap where the label goes.'),
  });
  // a new canvas always gives a 2d context (null only for one already taken by another kind)
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const size = widths(canvas);
  /** @type {Shape[]} */
  const shapes = [];
  /** @type {Exclude<Shape, {tool: 'text'}> | null} the mark being dragged (a label is placed by a tap) */
  let current = null;
  // A label is placed first (a tap on the photo), typed after: the keyboard that opens then cannot
  // move the photo under the finger before the place is chosen.
  /** @type {(Shape & {tool: 'text'}) | null} */
  let pending = null;
  /** @type {Tool} */
  let tool = 'arrow';

  const redraw = () => {
    context.drawImage(bitmap, 0, 0);
    for (const shape of [...shapes, current, pending]) if (shape) drawShape(context, shape, size);
    undo.disabled = shapes.length === 0;
    count.textContent = shapes.length
      ? t('%(count)s mark(s) on the photo.', { count: shapes.length })
      : t('No marks yet.');
  };

  const labelInput = h('input', {
    id: 'markup-label',
    className: 'input',
    type: 'text',
    maxlength: MAX_LABEL_LENGTH,
    autocomplete: 'off',
    placeholder: t('e.g. Leak here'),
  });
  const placeLabel = () => {
    if (pending?.text) shapes.push(pending);
    pending = null;
    labelInput.value = '';
    labelField.hidden = true;
    textHint.hidden = tool !== 'text';
    redraw();
  };
  labelInput.addEventListener('input', () => {
    if (!pending) return;
    pending.text = labelInput.value.trim().slice(0, MAX_LABEL_LENGTH);
    redraw();
  });
  labelInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      placeLabel();
    }
  });
  const textHint = h('p', { className: 'hint markup__hint', hidden: true }, t('Tap the photo where the label goes.'));
  const labelField = h(
    'div',
    { className: 'markup__label', hidden: true },
    h('label', { for: 'markup-label' }, t('Label text')),
    labelInput,
    h('button', { type: 'button', className: 'button markup__place', onclick: placeLabel }, t('Place the label')),
  );
  const toolButtons = TOOLS.map((entry) =>
    h(
      'button',
      {
        type: 'button',
        className: 'button button--quiet markup__tool',
        'data-tool': entry.key,
        'aria-pressed': String(entry.key === tool),
        onclick: () => {
          tool = entry.key;
          for (const button of toolButtons) button.setAttribute('aria-pressed', String(button.dataset.tool === tool));
          if (tool !== 'text') placeLabel();
          textHint.hidden = tool !== 'text' || Boolean(pending);
        },
      },
      h('span', { 'aria-hidden': 'true' }, entry.icon),
      ` ${entry.label()}`,
    ),
  );
  const undo = h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet markup__undo',
      disabled: true,
      onclick: () => {
        shapes.pop();
        redraw();
      },
    },
    h('span', { 'aria-hidden': 'true' }, '↶'),
    ` ${t('Undo')}`,
  );
  const count = h('p', { className: 'hint markup__count', role: 'status' });

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
    if (tool === 'text') {
      // The place is chosen now, in the photo's own pixels; the label is typed below the photo.
      pending = { tool, at, text: labelInput.value.trim().slice(0, MAX_LABEL_LENGTH) };
      textHint.hidden = true;
      labelField.hidden = false;
      labelInput.focus({ preventScroll: true });
      redraw();
      return;
    }
    canvas.setPointerCapture?.(event.pointerId);
    current = tool === 'free' ? { tool, points: [at] } : { tool, from: at, to: at };
    redraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!current) return;
    event.preventDefault();
    const at = point(event);
    if (current.tool === 'free') current.points.push(at);
    else current.to = at;
    redraw();
  });
  const finish = () => {
    if (!current) return;
    if (isMark(current, size)) shapes.push(current);
    current = null;
    redraw();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);

  return new Promise((resolve) => {
    const opener = document.activeElement;
    const close = (/** @type {{marked: Blob | null} | null} */ answer) => {
      dialog.remove();
      document.body.classList.remove('markup-open');
      bitmap.close();
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
          placeLabel(); // a label typed but not yet placed is kept
          if (!shapes.length) return close({ marked: null });
          context.drawImage(bitmap, 0, 0);
          for (const shape of shapes) drawShape(context, shape, size);
          // PNG: no second lossy step; the photo code makes it small as it does any photo.
          close({ marked: await toBlob(canvas, 'image/png') });
        },
      },
      t('Save the marked-up photo'),
    );
    const dialog = h(
      'div',
      { className: 'markup', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'markup-title' },
      h(
        'div',
        { className: 'markup__panel' },
        h('h2', { id: 'markup-title' }, title || t('Mark up the photo')),
        h('div', { className: 'markup__tools', role: 'toolbar', 'aria-label': t('Marks') }, toolButtons, undo),
        h('div', { className: 'markup__stage' }, canvas),
        textHint,
        labelField,
        count,
        h(
          'div',
          { className: 'markup__actions' },
          save,
          h(
            'button',
            {
              type: 'button',
              className: 'button button--quiet markup__cancel',
              onclick: () => close(null),
            },
            t('Cancel'),
          ),
        ),
      ),
    );
    document.body.append(dialog);
    document.body.classList.add('markup-open');
    redraw();
    toolButtons[0].focus();
  });
}
