// @ts-check
// Marks drawn on a photo: arrow, circle, freehand and a short text label, in safety yellow with a
// dark outline so each reads on any background. Drawing only; the editor is markup.js.

export const MARK_COLOUR = '#ffd400'; // safety yellow
export const OUTLINE_COLOUR = '#111111';

/** @typedef {[number, number]} Point a place on the photo, in its own pixels */
/**
 * A mark on the photo.
 * @typedef {{tool: 'arrow' | 'circle', from: Point, to: Point}
 *   | {tool: 'free', points: Point[]}
 *   | {tool: 'text', at: Point, text: string}} Shape
 */
/** @typedef {{line: number, outline: number, font: number}} Widths */

/** Line widths in the photo's own pixels, so a mark looks the same on any photo size.
 * @param {HTMLCanvasElement} canvas
 * @returns {Widths}
 */
export function widths(canvas) {
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
export function drawShape(context, shape, size) {
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
export function isMark(shape, size) {
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
export function toBlob(canvas, type) {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The marked-up photo could not be encoded.'))),
      type,
    ),
  );
}
