"""``torch.nn.functional``'s import path: this module *is* ``neuralab.functional``.

``import neuralab.nn.functional as F``, ``from neuralab.nn import functional as F`` and
``import neuralab.functional as F`` give the same module object.
"""

import sys

from neuralab import functional as _functional

sys.modules[__name__] = _functional
