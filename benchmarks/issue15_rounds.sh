#!/usr/bin/env bash
# Issue 15's measurements: three interleaved rounds on the otherwise idle machine.
cd "$(dirname "$0")"
export NEURALAB_DATA=${NEURALAB_DATA:-../../shared/datasets}
PY=${PYTHON:-../.venv/bin/python}
echo "=== page faults $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
$PY page_faults.py
$PY page_faults.py --threads 1
for round in 1 2 3; do
  echo "=== round $round $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  $PY run.py --only lenet --repeats 5
  $PY run.py --only mlp --repeats 5
  $PY step_min.py --threads 1 --only MLP --reps 60
  $PY run.py --only recurrent --repeats 5
  $PY epoch.py --model lenet --batches 64 --repeats 2
done
echo "=== done $(date +%T)"
