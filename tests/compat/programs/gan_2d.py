"""A small GAN on 2-D data: generator and discriminator MLPs, BCELoss, two Adam optimizers,
.detach() on the fake batch for the discriminator step (the DCGAN tutorial's loop, on
points instead of images).

Real data: a Gaussian blob centred at (2, -1) with standard deviation 0.5.
"""

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
latent_dim = 4
real_mean = torch.tensor([2.0, -1.0])
real_std = 0.5


def sample_real(n):
    return torch.randn(n, 2) * real_std + real_mean


netG = nn.Sequential(nn.Linear(latent_dim, 32), nn.ReLU(), nn.Linear(32, 2)).to(device)
netD = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), nn.Sigmoid()).to(device)

criterion = nn.BCELoss()
real_label = 1.0
fake_label = 0.0
optimizerD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))

batch_size = 64
G_losses, D_losses = [], []
for iteration in range(600):
    ############################
    # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
    ###########################
    netD.zero_grad()
    real = sample_real(batch_size).to(device)
    label = torch.full((batch_size,), real_label, dtype=torch.float, device=device)
    output = netD(real).view(-1)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()

    noise = torch.randn(batch_size, latent_dim, device=device)
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach()).view(-1)
    errD_fake = criterion(output, label)
    errD_fake.backward()
    D_G_z1 = output.mean().item()
    errD = errD_real + errD_fake
    optimizerD.step()

    ############################
    # (2) Update G network: maximize log(D(G(z)))
    ###########################
    netG.zero_grad()
    label.fill_(real_label)  # fake labels are real for generator cost
    output = netD(fake).view(-1)
    errG = criterion(output, label)
    errG.backward()
    D_G_z2 = output.mean().item()
    optimizerG.step()

    G_losses.append(errG.item())
    D_losses.append(errD.item())
    if iteration % 150 == 0:
        print(
            f"[{iteration}] Loss_D: {errD.item():.4f} Loss_G: {errG.item():.4f} "
            f"D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}"
        )

with torch.no_grad():
    samples = netG(torch.randn(2000, latent_dim, device=device)).cpu()
mean = samples.mean(dim=0)
std = samples.std(dim=0)
print("generated mean", mean.tolist(), "std", std.tolist())
print("METRIC mean_error", repr((mean - real_mean).norm().item()))
print("METRIC std_x", repr(std[0].item()))
print("METRIC std_y", repr(std[1].item()))
print("METRIC D_loss_last100", repr(sum(D_losses[-100:]) / 100))
print("METRIC G_loss_last100", repr(sum(G_losses[-100:]) / 100))
print("METRIC fake_grad_none", float(fake.grad is None))
