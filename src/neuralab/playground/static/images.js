// neuralab playground: the image mode (MNIST, Fashion-MNIST). Which controls show, the
// settings a change of data set kind sends, and the image views: loss and accuracy curves,
// sample predictions, the confusion matrix, the first layer's weights and the diagnosis.
// Loaded before app.js, which calls Images.*; uses app.js's mix, paintGrid, showDiagnosis.
"use strict";

const Images = (() => {
  let info = null; // /api/config's answer
  let pending = false; // the data set changed kind: write the controls from the next config
  let classes = [];
  let samples = null; // { size, labels, pixels }
  // [step, value] pairs; the test ones come with the heavy snapshots only
  const curves = { train: [], test: [], trainAccuracy: [], testAccuracy: [] };
  const MAX_POINTS = 1000;

  function init(answer) {
    info = answer;
  }

  function isImage(dataset) {
    return info !== null && info.choices.image_dataset.includes(dataset);
  }

  // body[data-mode] and body[data-architecture] choose what images.css shows
  function setMode(values) {
    document.body.dataset.mode = isImage(values.dataset) ? "image" : "points";
    document.body.dataset.architecture = values.architecture;
  }

  function widthLimit(values) {
    return isImage(values.dataset) ? info.limits.image_width : info.limits.width;
  }

  function newWidth(values) {
    return isImage(values.dataset) ? 32 : 4;
  }

  // The settings a link starts from: an image data set's network when it names one
  function defaultsFor(dataset) {
    return isImage(dataset) ? { ...info.defaults, ...info.image_defaults } : info.defaults;
  }

  // What a change of the controls sends: only the data set when it changes kind (the
  // server then takes that kind's network and training settings); LeNet-5 without batch
  // norm or dropout (their controls are hidden)
  function outgoing(values, config) {
    if (config && isImage(values.dataset) !== isImage(config.dataset)) {
      pending = true;
      return { dataset: values.dataset };
    }
    if (values.architecture === "lenet5") Object.assign(values, { batch_norm: false, dropout: 0 });
    return values;
  }

  function takeRewrite() {
    const was = pending;
    pending = false;
    return was;
  }

  function decode(base64) {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function push(series, step, value) {
    if (value === null || value === undefined) return;
    if (series.length && series[series.length - 1][0] >= step) return; // seen already
    series.push([step, value]);
    if (series.length > MAX_POINTS) {
      const kept = series.filter((_, i) => i % 2 === 0); // thin out, keep the whole run
      series.splice(0, series.length, ...kept);
    }
  }

  function drawCurves(canvas, series, top) {
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    const points = series.flatMap(([values]) => values);
    if (points.length < 2) return;
    const last = Math.max(1, ...points.map(([step]) => step));
    const high = top ?? Math.max(1e-6, ...points.map(([, v]) => v));
    for (const [values, color] of series) {
      context.beginPath();
      values.forEach(([step, v], i) => {
        const x = (step / last) * (canvas.width - 2) + 1;
        const y = canvas.height - 2 - (Math.min(v, high) / high) * (canvas.height - 6);
        if (i === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.strokeStyle = color;
      context.stroke();
    }
    context.fillStyle = "#777";
    context.font = "10px sans-serif";
    context.fillText(String(Number(high.toPrecision(2))), 3, 11);
    context.fillText(`update ${last}`, canvas.width - 70, canvas.height - 4);
  }

  function makeSamples() {
    const box = document.getElementById("samples");
    box.replaceChildren();
    const n = samples.size;
    samples.labels.forEach((label, k) => {
      const figure = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = n;
      const context = canvas.getContext("2d");
      const image = context.createImageData(n, n);
      for (let i = 0; i < n * n; i += 1) {
        const ink = 255 - samples.pixels[k * n * n + i]; // dark ink on white
        image.data.set([ink, ink, ink, 255], i * 4);
      }
      context.putImageData(image, 0, 0);
      figure.dataset.label = String(label);
      figure.append(canvas, document.createElement("figcaption"));
      box.append(figure);
    });
  }

  function showPredictions(predictions) {
    const figures = document.querySelectorAll("#samples figure");
    predictions.forEach(([predicted, probability], k) => {
      const figure = figures[k];
      if (!figure) return;
      const label = Number(figure.dataset.label);
      figure.dataset.predicted = String(predicted);
      figure.classList.toggle("wrong", predicted !== label);
      const p = probability === null ? "?" : `${Math.round(probability * 100)} %`;
      figure.querySelector("figcaption").textContent =
        `${classes[predicted]} ${p} (${classes[label]})`;
    });
  }

  // C[true][predicted]: each row shaded by its share, the diagonal blue, the rest orange
  function drawConfusion(confusion) {
    const canvas = document.getElementById("confusion");
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    const margin = 22;
    const cell = (canvas.width - margin) / confusion.length;
    context.font = "10px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    let total = 0;
    let right = 0;
    confusion.forEach((row, i) => {
      const count = row.reduce((a, b) => a + b, 0);
      total += count;
      right += row[i];
      row.forEach((n, j) => {
        const share = count ? n / count : 0;
        context.fillStyle = `rgba(${(i === j ? [8, 119, 189] : [245, 147, 34]).join(",")}, ${share})`;
        context.fillRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1);
        context.fillStyle = share > 0.6 ? "#fff" : "#333";
        if (n) context.fillText(String(n), margin + (j + 0.5) * cell, margin + (i + 0.5) * cell);
      });
      context.fillStyle = "#555";
      context.fillText(String(i), margin / 2, margin + (i + 0.5) * cell);
      context.fillText(String(i), margin + (i + 0.5) * cell, margin / 2);
    });
    const names = classes.every((name, i) => name === String(i))
      ? ""
      : ` Classes: ${classes.map((name, i) => `${i} ${name}`).join(", ")}.`;
    document.getElementById("confusion-info").textContent =
      `Rows: the true class, columns: the predicted one; ${total} test images, ` +
      `${right} on the diagonal (right).${names}`;
  }

  function drawFilters(filters) {
    const box = document.getElementById("filters");
    const pixels = decode(filters.base64);
    const n = filters.size;
    while (box.children.length > filters.count) box.lastChild.remove();
    while (box.children.length < filters.count) box.append(document.createElement("canvas"));
    Array.from(box.children).forEach((canvas, k) => {
      canvas.width = canvas.height = n * 2;
      paintGrid(canvas, pixels.subarray(k * n * n, (k + 1) * n * n), n, (v) => v / 255);
    });
  }

  function show(view) {
    if (view.classes) {
      classes = view.classes;
      for (const series of Object.values(curves)) series.length = 0;
    }
    if (view.samples) {
      samples = { ...view.samples, pixels: decode(view.samples.base64) };
      makeSamples();
    }
    push(curves.train, view.step, view.train_loss);
    push(curves.trainAccuracy, view.step, view.train_accuracy);
    if (view.heavy) {
      push(curves.test, view.test_step, view.test_loss);
      push(curves.testAccuracy, view.test_step, view.test_accuracy);
    }
    drawCurves(document.getElementById("image-loss"), [
      [curves.train, "#333"],
      [curves.test, "#e67e00"],
    ]);
    drawCurves(
      document.getElementById("image-accuracy"),
      [
        [curves.trainAccuracy, "#333"],
        [curves.testAccuracy, "#e67e00"],
      ],
      1,
    );
    if (view.heavy) {
      showPredictions(view.predictions);
      drawConfusion(view.confusion);
      drawFilters(view.filters);
      const table = document.getElementById("image-diagnosis");
      showDiagnosis(view.diagnosis, table, document.getElementById("image-warnings"));
    }
  }

  return {
    init, isImage, setMode, widthLimit, newWidth, defaultsFor, outgoing, takeRewrite, show,
  };
})();
