// neuralab playground: the page's controls, its WebSocket session and the drawings.
// Plain JavaScript, no library. The configuration lives in the URL's hash
// (#dataset=spiral&hidden=8,8&...), so a link reproduces it.
"use strict";

const $ = (id) => document.getElementById(id);
const NUMBERS = [
  "noise", "size", "test_fraction", "dropout", "l1", "l2", "lr", "momentum", "beta1", "beta2",
  "alpha", "gamma", "step_size", "batch_size", "seed", "train_size", "test_size",
];
const FLAGS = ["batch_norm"];
const CHOICES = ["dataset", "architecture", "activation", "init", "optimizer", "schedule"];
const ORANGE = [245, 147, 34];
const BLUE = [8, 119, 189];

let socket = null;
let playing = false;
let config = null; // the last configuration the server accepted
let limits = null;
let points = { train: [], test: [] };
let lastView = null;
let defaults = null;
let traced = null; // the last point traced, [x1, x2]
let keepError = false; // a refused link's message stays until the user changes a setting
const curves = { train: [], test: [] };

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function showError(text) {
  const box = $("error");
  box.textContent = text || "";
  box.hidden = !text;
}

// A small black cross at (x, y): the traced point.
function drawCross(context, x, y) {
  context.strokeStyle = "#000";
  context.beginPath();
  context.moveTo(x - 6, y);
  context.lineTo(x + 6, y);
  context.moveTo(x, y - 6);
  context.lineTo(x, y + 6);
  context.stroke();
}

// --- the configuration <-> the controls and the URL hash ---------------------------------
function readControls() {
  const out = {};
  for (const name of CHOICES) out[name] = $(name).value;
  document.body.dataset.optimizer = out.optimizer; // as soon as it is chosen
  for (const name of NUMBERS) {
    const text = $(name).value.trim();
    out[name] = text === "" ? null : Number(text);
  }
  for (const name of FLAGS) out[name] = $(name).checked;
  out.features = Array.from(document.querySelectorAll("#features input:checked"), (i) => i.value);
  out.hidden = Array.from(document.querySelectorAll("#layers input"), (i) => Number(i.value));
  return out;
}

function writeControls(values) {
  for (const name of CHOICES) $(name).value = values[name];
  for (const name of NUMBERS) $(name).value = values[name];
  for (const name of FLAGS) $(name).checked = values[name];
  for (const box of document.querySelectorAll("#features input")) {
    box.checked = values.features.includes(box.value);
  }
  const layers = $("layers");
  layers.replaceChildren();
  values.hidden.forEach((width, i) => {
    const label = document.createElement("label");
    label.className = "layer";
    label.textContent = `layer ${i + 1} neurons `;
    const input = document.createElement("input");
    const max = Images.widthLimit(values);
    Object.assign(input, { type: "number", min: 1, max, step: 1, value: width });
    input.addEventListener("change", changed);
    label.append(input);
    layers.append(label);
  });
  Images.setMode(values);
  document.body.dataset.optimizer = values.optimizer; // style.css shows its hyperparameters
}

function toHash(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return "#" + params.toString();
}

function fromHash(hash, defaults) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const out = {};
  for (const [key, text] of params) {
    if (!(key in defaults)) continue;
    if (Array.isArray(defaults[key])) {
      const items = text === "" ? [] : text.split(",");
      out[key] = key === "hidden" ? items.map(Number) : items;
    } else if (typeof defaults[key] === "boolean") {
      out[key] = text === "true";
    } else if (typeof defaults[key] === "number") {
      out[key] = Number(text);
    } else {
      out[key] = text;
    }
  }
  return out;
}

function changed() {
  keepError = false;
  send({ type: "config", ...Images.outgoing(readControls(), config) });
}

// --- drawing ----------------------------------------------------------------------------
function mix(t) {
  // t in [0, 1]: orange (label 0) -> white -> blue (label 1)
  const [a, b, s] = t < 0.5 ? [ORANGE, [255, 255, 255], t * 2] : [[255, 255, 255], BLUE, t * 2 - 1];
  return a.map((v, i) => Math.round(v + (b[i] - v) * s));
}

function paintGrid(canvas, values, n, toUnit) {
  const small = document.createElement("canvas");
  small.width = small.height = n;
  const context = small.getContext("2d");
  const image = context.createImageData(n, n);
  values.forEach((v, i) => {
    const [r, g, b] = mix(toUnit(v));
    image.data.set([r, g, b, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = false;
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function drawBoundary(view) {
  if (view.task === "regression") {
    drawRegression(view);
    return;
  }
  const canvas = $("boundary");
  // paler than the neurons' maps, so that the points show
  paintGrid(canvas, view.boundary, view.resolution, (p) => 0.5 + (p - 0.5) * 0.6);
  const context = canvas.getContext("2d");
  const scale = canvas.width / (2 * view.domain);
  const sets = $("show-test").checked ? [["train", "#fff"], ["test", "#000"]] : [["train", "#fff"]];
  for (const [part, stroke] of sets) {
    for (const [x1, x2, label] of points[part]) {
      context.beginPath();
      context.arc((x1 + view.domain) * scale, (view.domain - x2) * scale, 3, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${(label ? BLUE : ORANGE).join(",")})`;
      context.fill();
      context.strokeStyle = stroke;
      context.stroke();
    }
  }
  if (traced) {
    const [x, y] = [(traced[0] + view.domain) * scale, (view.domain - traced[1]) * scale];
    drawCross(context, x, y);
  }
}

// Regression: a value per point. 1-D: the points (x1, y) and the fitted curve; 2-D: the
// predicted surface as a heat map (orange -1, white 0, blue +1) under the points.
const valueUnit = (v) => 0.5 + 0.5 * Math.max(-1, Math.min(1, v));

function drawRegression(view) {
  const canvas = $("boundary");
  const context = canvas.getContext("2d");
  const scale = canvas.width / (2 * view.domain);
  const sets = $("show-test").checked ? [["train", "#fff"], ["test", "#000"]] : [["train", "#fff"]];
  const dot = (x, y, value, stroke) => {
    context.beginPath();
    context.arc(x, y, 3, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${mix(valueUnit(value)).join(",")})`;
    context.fill();
    context.strokeStyle = stroke;
    context.stroke();
  };
  let mark = null;
  if (view.curve) {
    const height = canvas.height / (2 * view.value_domain);
    const toY = (v) => (view.value_domain - v) * height;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = "#ddd";
    context.beginPath();
    context.moveTo(0, toY(0));
    context.lineTo(canvas.width, toY(0));
    context.stroke();
    for (const [part, stroke] of sets) {
      for (const [x1, , y] of points[part]) dot((x1 + view.domain) * scale, toY(y), y, stroke);
    }
    context.strokeStyle = "#222";
    context.lineWidth = 2;
    context.beginPath();
    let open = false;
    for (const [x1, y] of view.curve) {
      if (y === null) {
        open = false;
        continue;
      }
      const [x, yy] = [(x1 + view.domain) * scale, toY(y)];
      if (open) context.lineTo(x, yy);
      else context.moveTo(x, yy);
      open = true;
    }
    context.stroke();
    context.lineWidth = 1;
    if (traced) mark = [(traced[0] + view.domain) * scale, toY(traced[2])];
  } else {
    paintGrid(canvas, view.boundary, view.resolution, (v) => 0.5 + (valueUnit(v) - 0.5) * 0.6);
    for (const [part, stroke] of sets) {
      for (const [x1, x2, y] of points[part]) {
        dot((x1 + view.domain) * scale, (view.domain - x2) * scale, y, stroke);
      }
    }
    if (traced) mark = [(traced[0] + view.domain) * scale, (view.domain - traced[1]) * scale];
  }
  if (mark) {
    const [x, y] = mark;
    drawCross(context, x, y);
  }
}

function showTrace(message) {
  traced = [...message.point, message.backward.target];
  const box = $("trace");
  box.replaceChildren();
  const line = (text) => {
    const div = document.createElement("div");
    div.textContent = text;
    box.append(div);
  };
  const fmt = (v) => v.toFixed(3);
  const where = `point (${message.point.map(fmt).join(", ")})`;
  if ("prediction" in message) {
    const p = message.prediction === null ? "not finite" : fmt(message.prediction);
    line(`${where}: prediction ${p}`);
  } else {
    const p = message.probability === null ? "not finite" : fmt(message.probability);
    line(`${where}: P(label 1) = ${p}`);
  }
  line("inputs: " + message.features.map(([name, v]) => `${name} ${fmt(v)}`).join(", "));
  message.layers.forEach((layer, i) => {
    const what = layer.kind === "Linear" ? "weighted sums z = W x + b" : "activations";
    const values = layer.values.map((v) => (v === null ? "NaN" : fmt(v)));
    line(`${i} ${layer.kind}: ${what}: [${values.join(", ")}]`);
  });
  showBackward(message.backward, line);
  if (lastView) drawBoundary(lastView);
}

// One backward step for the traced point: the chain rule's factors, last layer first.
function showBackward(backward, line) {
  const sig = (v) => (v === null ? "NaN" : Number(v.toPrecision(3)).toString());
  const list = (values) => `[${values.map(sig).join(", ")}]`;
  const head = document.createElement("div");
  head.className = "backward-head";
  head.textContent = `backward, target ${backward.target}: loss ${sig(backward.loss)}`;
  $("trace").append(head);
  for (let i = backward.layers.length - 1; i >= 0; i -= 1) {
    const layer = backward.layers[i];
    if (layer.kind === "Linear") {
      line(`${i} Linear: dL/dz ${list(layer.grad_output)}`);
      const rows = layer.grad_weight.map(list).join(", ");
      line(`${i} Linear: dL/dW = dL/dz × input: [${rows}]`);
    } else {
      line(`${i} ${layer.kind}: dL/da ${list(layer.grad_output)}`);
      line(`${i} ${layer.kind}: da/dz ${list(layer.local)}`);
      line(`${i} ${layer.kind}: dL/dz = dL/da × da/dz ${list(layer.grad_input)}`);
    }
  }
}

function showDiagnosis(diagnosis, table = $("diagnosis"), warnings = $("warnings")) {
  table.replaceChildren();
  const row = (cells, tag) => {
    const tr = document.createElement("tr");
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      tr.append(cell);
    }
    table.append(tr);
  };
  const share = (v) => (v === null ? "" : `${Math.round(v * 100)} %`);
  row(["layer", "kind", "‖dL/dW‖", "dead", "saturated"], "th");
  for (const layer of diagnosis.layers) {
    const norm = layer.grad_norm === null ? "" : layer.grad_norm.toPrecision(3);
    const cells = [layer.name, layer.kind, norm];
    row([...cells, share(layer.dead_fraction), share(layer.saturated_fraction)], "td");
  }
  const item = (text) => Object.assign(document.createElement("li"), { textContent: text });
  warnings.replaceChildren(...diagnosis.warnings.map(item));
}

// The network as columns of units (the features, each hidden layer, the two outputs) and
// a line per weight, coloured by sign and as thick as its size.
let weightLines = []; // [x0, y0, x1, y1, text] of each line drawn, for pointing
function drawWeights(view) {
  const canvas = $("network");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const sizes = [view.weights[0][0].length, ...view.weights.map((w) => w.length)];
  const x = (k) => 20 + (k * (canvas.width - 40)) / (sizes.length - 1);
  const y = (k, i) => ((i + 0.5) * canvas.height) / sizes[k];
  const finite = view.weights.flat(2).filter((v) => v !== null);
  const peak = Math.max(1e-6, ...finite.map(Math.abs));
  weightLines = [];
  view.weights.forEach((matrix, k) => {
    matrix.forEach((row, j) => {
      row.forEach((w, i) => {
        const line = [x(k), y(k, i), x(k + 1), y(k + 1, j)];
        const value = w === null ? "NaN" : w.toFixed(3);
        const g = view.gradients[k] === null ? null : view.gradients[k][j][i];
        const grad = g === null ? "none yet" : Number(g.toPrecision(3)).toString();
        const text = `layer ${k + 1}: w[${j}, ${i}] = ${value}, dL/dw = ${grad}`;
        weightLines.push([...line, text]);
        if (w === null) return;
        context.strokeStyle = `rgba(${(w > 0 ? BLUE : ORANGE).join(",")}, 0.8)`;
        context.lineWidth = 0.3 + (3 * Math.abs(w)) / peak;
        context.beginPath();
        context.moveTo(line[0], line[1]);
        context.lineTo(line[2], line[3]);
        context.stroke();
      });
    });
  });
  context.lineWidth = 1;
  sizes.forEach((n, k) => {
    for (let i = 0; i < n; i += 1) {
      context.beginPath();
      context.arc(x(k), y(k, i), 5, 0, 2 * Math.PI);
      context.fillStyle = "#fff";
      context.fill();
      context.strokeStyle = "#555";
      context.stroke();
    }
  });
}

function pointAtWeight(event) {
  const canvas = $("network");
  const box = canvas.getBoundingClientRect();
  const px = ((event.clientX - box.left) * canvas.width) / box.width;
  const py = ((event.clientY - box.top) * canvas.height) / box.height;
  let best = null;
  let bestDistance = 4; // pixels
  for (const [x0, y0, x1, y1, text] of weightLines) {
    const length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2;
    const t = Math.max(0, Math.min(1, ((px - x0) * (x1 - x0) + (py - y0) * (y1 - y0)) / length2));
    const distance = Math.hypot(px - (x0 + t * (x1 - x0)), py - (y0 + t * (y1 - y0)));
    if (distance < bestDistance) [best, bestDistance] = [text, distance];
  }
  if (best) $("weight-info").textContent = best;
}

function drawNeurons(view) {
  const box = $("neurons");
  box.replaceChildren();
  view.neurons.forEach((layer, k) => {
    const row = document.createElement("div");
    row.className = "row";
    const name = document.createElement("span");
    name.textContent = `layer ${k + 1}`;
    row.append(name);
    for (const values of layer) {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 40;
      const peak = Math.max(1e-6, ...values.map(Math.abs));
      paintGrid(canvas, values, view.neuron_resolution, (v) => 0.5 + v / (2 * peak));
      row.append(canvas);
    }
    box.append(row);
  });
}

function drawLoss() {
  const canvas = $("loss");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const all = curves.train.concat(curves.test);
  if (all.length < 2) return;
  const top = Math.max(...all) || 1;
  for (const [part, color] of [["train", "#333"], ["test", "#e67e00"]]) {
    const values = curves[part];
    context.beginPath();
    values.forEach((v, i) => {
      const x = (i / Math.max(1, values.length - 1)) * canvas.width;
      const y = canvas.height - (v / top) * (canvas.height - 4);
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.strokeStyle = color;
    context.stroke();
  }
}

function show(view) {
  if (view.points) {
    points = view.points;
    curves.train = [];
    curves.test = [];
  }
  if (view.config) {
    config = view.config;
    window.history.replaceState(null, "", toHash(config));
    if (Images.takeRewrite()) writeControls(config); // the data set changed kind
    Images.setMode(config);
  }
  lastView = view;
  if (view.train_loss !== null && view.test_loss !== null) {
    curves.train.push(view.train_loss);
    curves.test.push(view.test_loss);
  }
  if (curves.train.length > 500) {
    curves.train.shift();
    curves.test.shift();
  }
  $("epoch").textContent = String(view.epoch);
  $("lr-now").textContent = String(Number(view.lr.toPrecision(3)));
  const loss = (v) => (v === null ? "diverged" : v.toFixed(3));
  $("train-loss").textContent = loss(view.train_loss);
  $("test-loss").textContent = loss(view.test_loss);
  const accuracy = view.test_accuracy;
  $("test-accuracy").textContent = accuracy === null ? "– (regression)" : accuracy.toFixed(3);
  if (view.mode === "image") {
    Images.show(view);
    return;
  }
  drawBoundary(view);
  drawNeurons(view);
  drawWeights(view);
  drawLoss();
  showDiagnosis(view.diagnosis);
}

// --- the session --------------------------------------------------------------------------
function setPlaying(value) {
  playing = value;
  $("play").textContent = playing ? "Pause" : "Play";
}

function download(filename, content, type) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([content], { type }));
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function connect(initial) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws`);
  socket.addEventListener("open", () => {
    $("status").textContent = "";
    send({ type: "config", ...initial });
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "snapshot") {
      if (!keepError) showError("");
      show(message);
    } else if (message.type === "error") {
      showError(message.message);
      Images.takeRewrite();
      if (config) {
        writeControls(config); // back to what the server holds
      } else {
        // the link's settings were refused: start from the defaults, keep the message
        showError(`the link's settings were refused (${message.message}); using the defaults`);
        keepError = true;
        writeControls(defaults);
        send({ type: "config", ...defaults });
      }
    } else if (message.type === "trace") {
      showTrace(message);
    } else if (message.type === "script") {
      download(message.filename, message.text, "text/x-python");
    } else if (message.type === "weights") {
      const bytes = Uint8Array.from(atob(message.base64), (c) => c.charCodeAt(0));
      download(message.filename, bytes, "application/octet-stream");
    }
  });
  socket.addEventListener("close", () => {
    setPlaying(false);
    $("status").textContent = "(disconnected: reload the page)";
  });
}

async function start() {
  const response = await fetch("/api/config");
  const info = await response.json();
  limits = info.limits;
  defaults = info.defaults;
  Images.init(info);
  for (const name of CHOICES) {
    for (const choice of info.choices[name]) $(name).append(new Option(choice, choice));
    $(name).addEventListener("change", changed);
  }
  for (const name of [...NUMBERS, ...FLAGS]) $(name).addEventListener("change", changed);
  for (const feature of info.choices.features) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    Object.assign(box, { type: "checkbox", value: feature });
    box.addEventListener("change", changed);
    label.append(box, " " + feature);
    $("features").append(label);
  }
  const linked = fromHash(location.hash, info.defaults);
  const initial = { ...Images.defaultsFor(linked.dataset), ...linked };
  writeControls(initial);
  $("play").addEventListener("click", () => {
    setPlaying(!playing);
    send({ type: playing ? "play" : "pause" });
  });
  $("step").addEventListener("click", () => {
    setPlaying(false);
    send({ type: "step" });
  });
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("export").addEventListener("click", () => send({ type: "export" }));
  $("export-torch").addEventListener("click", () => send({ type: "export", framework: "torch" }));
  $("weights").addEventListener("click", () => send({ type: "weights" }));
  $("add-layer").addEventListener("click", () => {
    const values = readControls();
    if (values.hidden.length >= limits.layers) return;
    values.hidden.push(Images.newWidth(values));
    writeControls(values);
    changed();
  });
  $("remove-layer").addEventListener("click", () => {
    const values = readControls();
    values.hidden.pop();
    writeControls(values);
    changed();
  });
  $("boundary").addEventListener("click", (event) => {
    if (!lastView) return;
    const box = event.target.getBoundingClientRect();
    const d = lastView.domain;
    const clamp = (v) => Math.max(-d, Math.min(d, v));
    const x1 = clamp(((event.clientX - box.left) / box.width) * 2 * d - d);
    const x2 = clamp(d - ((event.clientY - box.top) / box.height) * 2 * d);
    if (lastView.curve) {
      // a 1-D regression plot: the height is the point's target value, x2 is 0
      const v = lastView.value_domain;
      const target = v - ((event.clientY - box.top) / box.height) * 2 * v;
      send({ type: "trace", x1, x2: 0, target });
    } else {
      send({ type: "trace", x1, x2 });
    }
  });
  $("network").addEventListener("mousemove", pointAtWeight);
  $("show-test").addEventListener("change", () => lastView && drawBoundary(lastView));
  connect(initial);
}

start().catch((error) => showError(`the page could not start: ${error}`));
