// Timelines: counters sampled in virtual time, drawn as SVG or in a terminal, and
// exported as CSV or JSON. Re-exports only.
export { TimelineError, TimelineRecorder, sampleSnapshot } from './sample.js';
export type { Timeline, TimelineSample, TimelineSeries } from './sample.js';
export { FIELD_ORDER, formatValue, byteUnitFor } from './fields.js';
export type { TimelineField, FieldUnit } from './fields.js';
export { renderTimelineAscii, ASCII_GAP } from './ascii.js';
export type { AsciiOptions } from './ascii.js';
export { renderTimelineSvg, timelineChartSpec, SVG_PANELS, TIME_AXIS_TITLE } from './svg.js';
export type { SvgOptions, SvgPanel, ChartSpec } from './svg.js';
export { timelineToCsv, timelineToJson, CSV_COLUMNS, TIMELINE_JSON_FORMAT, TIMELINE_JSON_VERSION } from './export.js';
export type { TimelineJsonOptions } from './export.js';
export { checkTimeline } from './validate.js';
export { renderTimelineLineChart } from './line-chart.js';
export type { LineChartOptions } from './line-chart.js';
