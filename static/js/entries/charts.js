// @ts-check
// Charts for the insight pages, drawn with Chart.js from the data the page carries as JSON
// (<script type="application/json" id="chart-data">). Every chart has a table with the same
// numbers under it, so the charts are a picture, never the only way to read the figures.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip,
} from 'chart.js';
import { t, useMessagesOfPage } from '../shared/i18n.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip,
);
Chart.defaults.font.size = 13;
Chart.defaults.color = '#111a16';
Chart.defaults.animation = false; // prints and screenshots show the final picture

const GREEN = '#12664a';
const RED = '#a3161a';
const GREY = '#8a968f';

/** One line of a chart: its name and its values. @typedef {{label: string, values: (number | null)[]}} Series */
/**
 * What the server's page writes for each chart (gemba_walk/reports/views.py), by kind.
 * @typedef {{kind: 'pareto', labels: string[], counts: number[], cumulative: number[]}} ParetoSpec
 * @typedef {{kind: 'bars', labels: string[], label: string, values: number[]}} BarsSpec
 * @typedef {{kind: 'radar' | 'trend', labels: string[], series: Series[]}} SeriesSpec
 * @typedef {ParetoSpec | BarsSpec | SeriesSpec} ChartSpec
 */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {ParetoSpec} spec
 */
function pareto(canvas, spec) {
  return new Chart(canvas, {
    data: {
      labels: spec.labels,
      datasets: [
        { type: 'bar', label: t('Findings'), data: spec.counts, backgroundColor: GREEN, yAxisID: 'count', order: 2 },
        {
          type: 'line',
          label: t('Cumulative %'),
          data: spec.cumulative,
          borderColor: RED,
          backgroundColor: RED,
          yAxisID: 'share',
          order: 1,
          pointRadius: 3,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        count: { type: 'linear', position: 'left', beginAtZero: true, ticks: { precision: 0 } },
        share: {
          type: 'linear',
          position: 'right',
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          ticks: { callback: (value) => `${value}%` },
        },
      },
    },
  });
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {BarsSpec} spec
 */
function bars(canvas, spec) {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.labels, datasets: [{ label: spec.label, data: spec.values, backgroundColor: GREEN }] },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {SeriesSpec} spec
 */
function radar(canvas, spec) {
  return new Chart(canvas, {
    type: 'radar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, index) => ({
        label: series.label,
        data: series.values,
        borderColor: index === 0 ? GREEN : GREY,
        backgroundColor: index === 0 ? 'rgba(18, 102, 74, 0.2)' : 'rgba(138, 150, 143, 0.15)',
        borderDash: index === 0 ? [] : [6, 4],
        fill: true,
        pointRadius: 3,
      })),
    },
    options: {
      maintainAspectRatio: false,
      layout: { padding: 4 },
      scales: {
        r: {
          min: 0,
          max: 5,
          // the axis numbers sit on an opaque label, drawn above the lines and markers
          ticks: { stepSize: 1, z: 2, backdropColor: 'rgba(255, 255, 255, 0.92)', backdropPadding: 2 },
          pointLabels: { padding: 12, font: { size: 14, weight: 600 } },
        },
      },
    },
  });
}

// The 5S total alone by default (one line a person can read); the pillars on demand, from the
// button under the chart or the legend.
/**
 * @param {HTMLCanvasElement} canvas
 * @param {SeriesSpec} spec
 */
function trend(canvas, spec) {
  const palette = [GREEN, '#1b5fd1', '#7a4b00', '#6b2fa0', '#2f3a34', RED];
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, index) => ({
        label: series.label,
        data: series.values,
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        borderWidth: series.label === '5S' ? 4 : 2,
        pointRadius: series.label === '5S' ? 4 : 2,
        hidden: series.label !== '5S',
        spanGaps: true,
      })),
    },
    options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 5, ticks: { stepSize: 1 } } } },
  });
  const toggle = document.querySelector(`[data-pillars-for="${canvas.id}"]`);
  if (toggle instanceof HTMLElement) {
    toggle.hidden = false;
    toggle.addEventListener('click', () => {
      const show = toggle.getAttribute('aria-pressed') !== 'true';
      chart.data.datasets.forEach((dataset, index) => {
        if (dataset.label !== '5S') chart.setDatasetVisibility(index, show);
      });
      chart.update();
      toggle.setAttribute('aria-pressed', String(show));
      toggle.textContent = show ? t('Show the 5S total only') : t('Show each pillar too');
    });
  }
  return chart;
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {ChartSpec} spec
 */
function draw(canvas, spec) {
  if (spec.kind === 'pareto') pareto(canvas, spec);
  else if (spec.kind === 'bars') bars(canvas, spec);
  else if (spec.kind === 'radar') radar(canvas, spec);
  else if (spec.kind === 'trend') trend(canvas, spec);
}

const source = document.getElementById('chart-data');
if (source) {
  useMessagesOfPage(); // the chart's words in the page's language
  /** @type {Record<string, ChartSpec>} */
  const specs = JSON.parse(source.textContent || '{}');
  for (const [id, spec] of Object.entries(specs)) {
    const canvas = document.getElementById(id);
    if (canvas instanceof HTMLCanvasElement) draw(canvas, spec);
  }
  document.documentElement.dataset.charts = 'drawn';
}
