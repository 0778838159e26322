/**
 * The in-page JavaScript that turns the embedded data into chart.js charts. Each <canvas data-chart="KIND">
 * (see elements.ts chart()) is built by BUILDERS[KIND] from the page's embedded JSON: the whole
 * RunSummary on a report page, { runs: [{ label, spectrum }] } on a compare page. Plain ES2019 without
 * template literals, so that it sits in a TypeScript template string untouched; data stay in microseconds
 * until this script divides them for display.
 */
/** The id of the <script type="application/json"> holding the page's data. */
export const DATA_ELEMENT_ID = 'hopscope-data';

export const CHARTS_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('${DATA_ELEMENT_ID}').textContent);
  var PALETTE = ['#2f6fde', '#e8772e', '#2aa876', '#c9427a', '#8a5cd6', '#b8962c', '#1aa3b8', '#6d4c41'];
  var INK = '#1d2330';
  var MUTED = '#8792a2';
  var FAULT = '#d0312d';

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#5f6b7a';
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 2;
  Chart.defaults.elements.point.radius = 0;
  Chart.defaults.elements.line.borderWidth = 1.5;

  function ms(us) { return us / 1000; }
  function fmtMs(v) {
    if (v < 1) return v.toFixed(3) + ' ms';
    if (v < 10) return v.toFixed(2) + ' ms';
    if (v < 1000) return v.toFixed(1) + ' ms';
    return (v / 1000).toFixed(2) + ' s';
  }
  function color(i) { return PALETTE[i % PALETTE.length]; }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // The nines axis, as HdrHistogram's plotter draws it: x = 1/(1 - p) on a log scale gives every "nine" the
  // same width, so the tail is as wide as the median instead of a sliver at the right edge.
  var NINES = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7];
  function ninesX(percentile) { return 1 / (1 - percentile / 100); }
  function ninesLabel(x) { return String(Math.round(100 * (1 - 1 / x) * 1e4) / 1e4) + '%'; }

  function spectrumLine(label, points, stroke, width) {
    return {
      label: label,
      // The 100th percentile is at x = infinity; the max is in the tables instead.
      data: (points || []).filter(function (p) { return p.percentile < 100; }).map(function (p) {
        return { x: ninesX(p.percentile), y: ms(p.valueUs) };
      }),
      borderColor: stroke,
      backgroundColor: stroke,
      borderWidth: width || 1.5,
    };
  }

  // Linear by default, as HdrHistogram plots it (the tail's height is the finding); log shows the body too.
  function addLogToggle(canvas, chart) {
    var label = document.createElement('label');
    label.className = 'toggle';
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = chart.options.scales.y.type === 'logarithmic';
    box.addEventListener('change', function () {
      chart.options.scales.y.type = box.checked ? 'logarithmic' : 'linear';
      chart.update();
    });
    label.append(box, ' log latency axis');
    canvas.parentElement.append(label);
  }

  function spectrumChart(canvas, datasets, yTitle) {
    var maxX = 10;
    datasets.forEach(function (d) { d.data.forEach(function (p) { if (p.x > maxX) maxX = p.x; }); });
    var top = NINES.filter(function (n) { return n >= maxX; })[0] || maxX;
    var chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'logarithmic', min: 1, max: top,
            title: { display: true, text: 'percentile' },
            afterBuildTicks: function (axis) {
              axis.ticks = NINES.filter(function (n) { return n <= top; }).map(function (n) { return { value: n }; });
            },
            ticks: { callback: function (v) { return ninesLabel(v); } },
          },
          y: {
            type: canvas.dataset.yScale === 'log' ? 'logarithmic' : 'linear',
            beginAtZero: true,
            title: { display: true, text: yTitle || 'latency (ms)' },
            ticks: { callback: function (v, i, ticks) { return this.type === 'logarithmic' ? logTick(v) : Chart.Ticks.formatters.numeric.call(this, v, i, ticks); } },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? 'p' + ninesLabel(items[0].parsed.x) : ''; },
              label: function (c) { return c.dataset.label + ': ' + fmtMs(c.parsed.y); },
            },
          },
        },
      },
    });
    addLogToggle(canvas, chart);
    return chart;
  }

  // Time charts share one x range (seconds since the run's start) and the phase bands, so they line up.
  function timeRange() {
    var end = 0;
    (data.timeline || []).forEach(function (p) { end = Math.max(end, (p.tMs + p.lengthMs) / 1000); });
    (data.resources || []).forEach(function (r) { r.points.forEach(function (p) { end = Math.max(end, p.tMs / 1000); }); });
    return { min: 0, max: Math.ceil(end) };
  }

  function phaseSpans() {
    var recorded = {};
    (data.phases || []).forEach(function (p) { recorded[p.name] = p.recorded; });
    var spans = [];
    (data.timeline || []).forEach(function (p) {
      var last = spans[spans.length - 1];
      if (last && last.name === p.phase) last.to = (p.tMs + p.lengthMs) / 1000;
      else spans.push({ name: p.phase, from: p.tMs / 1000, to: (p.tMs + p.lengthMs) / 1000, recorded: recorded[p.phase] !== false });
    });
    return spans;
  }

  // A tiny inline plugin instead of chartjs-plugin-annotation: shade unrecorded phases, mark where each phase
  // starts and name it, and draw each fault as a full-height dashed line, whatever the y scale.
  function timeMarks(spans, faults) {
    return {
      id: 'timeMarks',
      beforeDatasetsDraw: function (chart) {
        var a = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
        ctx.save();
        ctx.font = '11px ' + Chart.defaults.font.family;
        spans.forEach(function (s, i) {
          var left = Math.max(a.left, x.getPixelForValue(s.from));
          var right = Math.min(a.right, x.getPixelForValue(s.to));
          if (right <= left) return;
          ctx.fillStyle = s.recorded ? (i % 2 ? 'rgba(47,111,222,0.045)' : 'rgba(0,0,0,0)') : 'rgba(120,128,140,0.14)';
          ctx.fillRect(left, a.top, right - left, a.bottom - a.top);
          if (i > 0) {
            ctx.strokeStyle = 'rgba(29,35,48,0.3)';
            ctx.beginPath(); ctx.moveTo(left, a.top); ctx.lineTo(left, a.bottom); ctx.stroke();
          }
          var label = [s.name + (s.recorded ? '' : ' (not recorded)'), s.name].filter(function (l) {
            return ctx.measureText(l).width <= right - left - 8;
          })[0];
          if (label) {
            ctx.fillStyle = '#5f6b7a';
            ctx.fillText(label, left + 4, a.top + 12);
          }
        });
        ctx.strokeStyle = FAULT;
        ctx.setLineDash([5, 3]);
        faults.forEach(function (f) {
          var px = x.getPixelForValue(f.tMs / 1000);
          if (px < a.left || px > a.right) return;
          ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.stroke();
        });
        ctx.restore();
      },
    };
  }

  function timeAxis() {
    var r = timeRange();
    return { type: 'linear', min: r.min, max: r.max, title: { display: true, text: 'seconds since start' } };
  }

  function timeChart(canvas, datasets, y, extraScales, tooltipLabel) {
    var scales = { x: timeAxis(), y: y };
    Object.keys(extraScales || {}).forEach(function (k) { scales[k] = extraScales[k]; });
    return new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: scales,
        plugins: { tooltip: { callbacks: { title: function (items) { return items.length ? items[0].parsed.x.toFixed(1) + ' s' : ''; }, label: tooltipLabel } } },
      },
      plugins: [timeMarks(phaseSpans(), data.faults || [])],
    });
  }

  function series(label, stroke, points, extra) {
    var d = { label: label, data: points, borderColor: stroke, backgroundColor: stroke };
    Object.keys(extra || {}).forEach(function (k) { d[k] = extra[k]; });
    return d;
  }

  var HOP_ORDER = data.hops ? data.hops.hops.map(function (h) { return h.name; }) : [];
  function hopColor(name) {
    var i = HOP_ORDER.indexOf(name);
    return i < 0 ? MUTED : color(i);
  }

  var BUILDERS = {
    'spectrum-requests': function (canvas) {
      var names = Object.keys(data.spectrum.requests);
      var lines = names.map(function (n, i) { return spectrumLine(n, data.spectrum.requests[n], color(i)); });
      // With one request name the overall line would be drawn twice.
      if (names.length !== 1) lines.push(spectrumLine('all requests', data.spectrum.overall, INK, 2.5));
      return spectrumChart(canvas, lines);
    },

    'spectrum-hops': function (canvas) {
      var lines = data.hops.hops.map(function (h) { return spectrumLine(h.name, h.spectrum, hopColor(h.name)); });
      lines.push(spectrumLine(data.hops.residual.name + ' (network, client, queues)', data.hops.residual.spectrum, MUTED));
      return spectrumChart(canvas, lines, 'self time (ms)');
    },

    timeline: function (canvas) {
      var t = data.timeline;
      function at(p) { return (p.tMs + p.lengthMs / 2) / 1000; }
      // An interval without a response has no latency, not a latency of 0 (which a log axis cannot place).
      function line(key) { return t.map(function (p) { return { x: at(p), y: p.maxUs > 0 ? ms(p[key]) : null }; }); }
      var top = 0;
      t.forEach(function (p) { top = Math.max(top, ms(p.maxUs)); });
      var datasets = [
        series('p50', PALETTE[0], line('p50Us'), { borderWidth: 2 }),
        series('p99', PALETTE[1], line('p99Us'), { borderWidth: 2 }),
        series('max', MUTED, line('maxUs'), { borderWidth: 1, borderDash: [4, 3] }),
        series('throughput (req/s)', alpha(PALETTE[2], 0.8), t.map(function (p) { return { x: at(p), y: p.rateRps }; }), {
          yAxisID: 'rate', borderWidth: 1.2, stepped: 'middle',
        }),
      ];
      (data.gc || []).filter(function (g) { return g.pauses.length; }).forEach(function (g, i) {
        var longest = Math.max.apply(null, g.pauses.map(function (p) { return p.durationUs; }));
        datasets.push(series('GC pause, ' + g.service, alpha(PALETTE[4 + i], 0.75), g.pauses.map(function (p) {
          return { x: p.tMs / 1000, y: ms(p.durationUs), pause: true };
        }), {
          type: 'scatter', pointStyle: 'triangle',
          pointRadius: g.pauses.map(function (p) { return 2.5 + 5 * Math.sqrt(p.durationUs / longest); }),
        }));
      });
      if ((data.faults || []).length) {
        // The lines are drawn by timeMarks; these markers at the top give them a legend entry and tooltips.
        datasets.push(series('faults', FAULT, data.faults.map(function (f) { return { x: f.tMs / 1000, y: top, fault: f }; }), {
          type: 'scatter', pointStyle: 'rectRot', pointRadius: 5,
        }));
      }
      return timeChart(canvas, datasets,
        { type: 'logarithmic', title: { display: true, text: 'latency (ms, log)' }, ticks: { callback: logTick } },
        { rate: { position: 'right', beginAtZero: true, grace: '10%', grid: { drawOnChartArea: false }, title: { display: true, text: 'req/s' } } },
        function (c) {
          var raw = c.raw;
          if (raw.fault) return raw.fault.kind + ' ' + raw.fault.service + ': ' + raw.fault.detail;
          if (c.dataset.yAxisID === 'rate') return 'throughput: ' + Math.round(c.parsed.y) + ' req/s';
          return c.dataset.label + ': ' + fmtMs(c.parsed.y);
        });
    },

    tails: function (canvas) {
      var tails = data.hops.tails;
      var names = [];
      tails.forEach(function (t) { t.hops.forEach(function (h) { if (names.indexOf(h.name) < 0) names.push(h.name); }); });
      var datasets = names.map(function (name) {
        var hops = tails.map(function (t) { return t.hops.filter(function (h) { return h.name === name; })[0]; });
        return {
          label: name,
          data: hops.map(function (h) { return h ? h.share * 100 : 0; }),
          meanUs: hops.map(function (h) { return h ? h.meanUs : 0; }),
          backgroundColor: hopColor(name),
        };
      });
      return new Chart(canvas, {
        type: 'bar',
        data: { labels: tails.map(function (t) { return t.tail + ' (\u2265 ' + fmtMs(ms(t.thresholdUs)) + ')'; }), datasets: datasets },
        options: {
          indexAxis: 'y',
          scales: {
            x: { stacked: true, min: 0, max: 100, ticks: { callback: function (v) { return v + '%'; } }, title: { display: true, text: 'share of the tail requests\' time' } },
            y: { stacked: true },
          },
          plugins: {
            legend: { labels: { boxHeight: 12 } },
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + fmtMs(ms(c.dataset.meanUs[c.dataIndex])) + ' mean (' + c.parsed.x.toFixed(1) + '%)'; } } },
          },
        },
      });
    },

    cpu: function (canvas) {
      return timeChart(canvas, data.resources.map(function (r, i) {
        return series(r.service, color(i), r.points.map(function (p) { return { x: p.tMs / 1000, y: p.cpuPercent }; }));
      }), { beginAtZero: true, title: { display: true, text: 'CPU (% of one core)' } }, {}, function (c) {
        return c.dataset.label + ': ' + c.parsed.y.toFixed(1) + '%';
      });
    },

    memory: function (canvas) {
      return timeChart(canvas, data.resources.map(function (r, i) {
        return series(r.service, color(i), r.points.map(function (p) { return { x: p.tMs / 1000, y: p.memoryBytes / 1048576 }; }));
      }), { beginAtZero: true, title: { display: true, text: 'memory (MiB)' } }, {}, function (c) {
        return c.dataset.label + ': ' + c.parsed.y.toFixed(1) + ' MiB';
      });
    },

    'compare-spectrum': function (canvas) {
      var request = canvas.dataset.request;
      return spectrumChart(canvas, data.runs.map(function (r, i) {
        var points = request ? r.spectrum.requests[request] : r.spectrum.overall;
        return spectrumLine(r.label + (i === 0 ? ' (baseline)' : ''), points, i === 0 ? INK : color(i - 1), i === 0 ? 2.5 : 1.8);
      }));
    },
  };

  // Log-axis ticks at 1, 2 and 5 of each decade only (chart.js would label every minor tick), in the axis' unit.
  function logTick(v) {
    var mantissa = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    if ([1, 2, 5].every(function (m) { return Math.abs(mantissa - m) > 1e-6; })) return '';
    return String(Number(v.toPrecision(3)));
  }

  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var build = BUILDERS[canvas.dataset.chart];
    if (!build) throw new Error('hopscope report: no chart builder for "' + canvas.dataset.chart + '"');
    build(canvas);
  });
})();
`;
