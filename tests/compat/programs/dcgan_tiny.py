"""pytorch/examples dcgan/main.py at a tiny size (8x8 single-channel images): the same
Generator (nn.ConvTranspose2d(bias=False) + BatchNorm2d + ReLU(True), Tanh) and
Discriminator (Conv2d + BatchNorm2d + LeakyReLU(0.2, inplace=True), Sigmoid), weights_init
by classname.find('Conv'), nn.BCELoss, torch.full labels with label.fill_, Adam with
betas=(0.5, 0.999), and the D / G training steps. Images are NumPy blobs scaled to
[-1, 1] (no download); weights, noise and batch order come from torch's generator.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.parallel
import torch.optim as optim
import torch.utils.data

torch.manual_seed(0)
device = torch.device("cpu")
nc, nz, ngf, ndf = 1, 4, 8, 8
batchSize, niter = 32, 4

rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:8, 0:8]
imgs = np.exp(
    -(
        (yy[None] - rng.uniform(2, 5, (256, 1, 1))) ** 2
        + (xx[None] - rng.uniform(2, 5, (256, 1, 1))) ** 2
    )
    / 4.0
)
imgs = (imgs * 2 - 1).astype(np.float32)[:, None]
dataset = torch.utils.data.TensorDataset(torch.from_numpy(imgs), torch.zeros(256))
dataloader = torch.utils.data.DataLoader(dataset, batch_size=batchSize, shuffle=True, num_workers=0)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, ngpu):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 4 x 4
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
            # state size. (nc) x 8 x 8
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output


class Discriminator(nn.Module):
    def __init__(self, ngpu):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is (nc) x 8 x 8
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 4 x 4
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 2 x 2
            nn.Conv2d(ndf * 2, 1, 2, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)


netG = Generator(1).to(device)
netG.apply(weights_init)
netD = Discriminator(1).to(device)
netD.apply(weights_init)
print(netG)
print("METRIC G_params", sum(p.numel() for p in netG.parameters()))
print("METRIC D_params", sum(p.numel() for p in netD.parameters()))
print("METRIC G_output_shape", str(tuple(netG(torch.randn(2, nz, 1, 1)).shape)))

criterion = nn.BCELoss()
fixed_noise = torch.randn(batchSize, nz, 1, 1, device=device)
real_label = 1
fake_label = 0
optimizerD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))

d_losses, g_losses = [], []
for epoch in range(niter):
    for i, data in enumerate(dataloader, 0):
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        # (2) Update G network: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()
        d_losses.append(errD.item())
        g_losses.append(errG.item())
    print(
        "[%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f"
        % (epoch, niter, errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)
    )

with torch.no_grad():
    fake = netG(fixed_noise)
print("METRIC D_loss_last_epoch", sum(d_losses[-8:]) / 8)
print("METRIC G_loss_last_epoch", sum(g_losses[-8:]) / 8)
print("METRIC fake_in_range", float(fake.abs().max().item() <= 1.0))
print("METRIC fake_mean", fake.mean().item())
print("METRIC real_mean", float(imgs.mean()))
