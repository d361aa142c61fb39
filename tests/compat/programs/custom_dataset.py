"""A custom Dataset (with __len__/__getitem__) and the DataLoader options users pass:
shuffle, num_workers=2, pin_memory=True, collate_fn, drop_last; plus TensorDataset,
random_split and Subset.

The metrics are order-independent (sums over all batches, sizes), so shuffling with
different random streams gives the same values in both runs.
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

torch.manual_seed(0)


class SquaresDataset(Dataset):
    """Item i: features [i, i^2 / 100] (float32) and label i % 3."""

    def __init__(self, n, transform=None):
        self.n = n
        self.transform = transform

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        x = torch.tensor([float(idx), idx * idx / 100.0])
        y = idx % 3
        if self.transform:
            x = self.transform(x)
        return x, y


def pad_collate(batch):
    """Variable-length sequences padded to the longest in the batch."""
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.zeros(len(seqs), int(lengths.max()))
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return padded, lengths, torch.tensor(labels)


class VarLenDataset(Dataset):
    def __init__(self):
        self.items = [
            (torch.arange(1, 1 + (i % 5) + 1, dtype=torch.float32), i % 2) for i in range(23)
        ]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def main():
    ds = SquaresDataset(50, transform=lambda x: x * 2)
    print("METRIC len_dataset", len(ds))
    x0, y0 = ds[7]
    print("METRIC item7_x0", repr(x0[0].item()))
    print("METRIC item7_x1", repr(x0[1].item()))
    print("METRIC item7_y", y0)

    loader = DataLoader(ds, batch_size=8, shuffle=True, num_workers=2, pin_memory=True)
    n_batches, total, label_sum, seen = 0, 0.0, 0, 0
    for xb, yb in loader:
        n_batches += 1
        total += xb.sum().item()
        label_sum += yb.sum().item()
        seen += xb.shape[0]
        assert xb.dtype == torch.float32 and yb.dtype == torch.int64, (xb.dtype, yb.dtype)
    print("METRIC loader_len", len(loader))
    print("METRIC batches", n_batches)
    print("METRIC seen", seen)
    print("METRIC feature_sum", repr(total))
    print("METRIC label_sum", label_sum)
    first_x, first_y = next(iter(loader))
    print("METRIC first_batch_shape", str(tuple(first_x.shape)))
    print("METRIC first_labels_shape", str(tuple(first_y.shape)))

    loader = DataLoader(ds, batch_size=8, shuffle=False, drop_last=True)
    print("METRIC drop_last_len", len(loader))
    xs = torch.cat([xb for xb, _ in loader])
    print("METRIC no_shuffle_first_rows", str(xs[:3, 0].tolist()))

    var = DataLoader(
        VarLenDataset(), batch_size=4, shuffle=True, num_workers=2, collate_fn=pad_collate
    )
    widths, length_sum = [], 0
    for padded, lengths, labels in var:
        widths.append(padded.shape[1])
        length_sum += lengths.sum().item()
        assert padded.shape[0] == labels.shape[0]
        assert int(lengths.max()) == padded.shape[1]
    print("METRIC collate_batches", len(widths))
    print("METRIC collate_length_sum", length_sum)
    print("METRIC collate_max_width", max(widths))

    # TensorDataset from NumPy arrays, random_split and Subset
    features = torch.from_numpy(np.arange(60, dtype=np.float32).reshape(30, 2))
    targets = torch.from_numpy(np.arange(30) % 2)
    full = TensorDataset(features, targets)
    print("METRIC tensordataset_item3", str([full[3][0].tolist(), full[3][1].item()]))
    train_set, val_set = random_split(full, [24, 6], generator=torch.Generator().manual_seed(42))
    print("METRIC split_lengths", str([len(train_set), len(val_set)]))
    union = sorted(int(train_set[i][0][0]) for i in range(len(train_set))) + sorted(
        int(val_set[i][0][0]) for i in range(len(val_set))
    )
    print("METRIC split_covers_all", float(sorted(union) == list(range(0, 60, 2))))
    fractions = random_split(full, [0.8, 0.2])
    print("METRIC fraction_split_lengths", str([len(s) for s in fractions]))
    sub = Subset(full, [0, 5, 10])
    print("METRIC subset_len", len(sub))
    print("METRIC subset_item1", str(sub[1][0].tolist()))
    sub_loader = DataLoader(sub, batch_size=2)
    print("METRIC subset_batches", len(sub_loader))
    total = sum(xb.sum().item() for xb, _ in DataLoader(train_set, batch_size=5, shuffle=True))
    print(
        "METRIC train_split_feature_sum_plus_val",
        repr(total + sum(val_set[i][0].sum().item() for i in range(6))),
    )

    # the loader works with a plain Python list as dataset, too
    pairs = [(torch.tensor([float(i)]), i) for i in range(10)]
    batch_x, batch_y = next(iter(DataLoader(pairs, batch_size=10)))
    print("METRIC list_dataset_sum", repr(batch_x.sum().item()))
    print("METRIC list_dataset_labels", str(batch_y.tolist()))


if __name__ == "__main__":  # required with num_workers > 0 where workers are spawned
    main()
