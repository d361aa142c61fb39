"""The playground: build a small network in the browser and watch it learn, on neuralab's
engine (``neuralab playground``).

- ``data``: the 2-D data sets and input features;
- ``images``: the image data sets (MNIST, Fashion-MNIST subsets) and networks;
- ``model``: the checked configuration, and the network and optimizer it describes;
- ``session``: one tab's training loop and the snapshots the page draws;
- ``image_session``: the same on images, and its snapshots' image views;
- ``server``: the Starlette app (the page, ``/api/config``, the ``/ws`` protocol);
- ``export``, ``image_export``: the equivalent neuralab and PyTorch scripts;
- ``cli``: the ``neuralab playground`` command;
- ``browser``: the real server in a subprocess (the end-to-end test, the screenshot tool).

The server needs the ``playground`` extra: ``pip install 'neuralab[playground]'``.
"""
