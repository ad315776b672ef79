// The exact diffusion limit (ε -> 0) of the default linear transport problem (physics.md §5.1:
// sigma_a = Q = 0, inflow f_L = 1, f_R = 0, f0 = 0 on x in [0, 1]) and the uniform cell-centre
// grid every linear transport evaluation uses. A spot-check reference for small ε and for tests.
#pragma once

#include <vector>

namespace hrgrad::reference {

// Centres of n uniform cells on [a, b]: x_j = a + (j + 1/2)(b - a)/n, j = 0..n-1.
// n = 100 on [0, 1] gives the evaluation grid x_j = 0.005 + 0.01 j. Throws InputError for n < 1
// or b <= a.
std::vector<double> cell_centres(int n, double a = 0.0, double b = 1.0);

// rho(t, x) = 1 - x - sum_{n>=1} (2/(n pi)) sin(n pi x) exp(-n^2 pi^2 t / (3 sigma_s)), the
// solution of rho_t = rho_xx / (3 sigma_s), rho(0) = 1, rho(1) = 0, rho(t=0) = 0. Summed to
// rounding: the Fourier series where it converges fast, the equivalent erfc image series for
// small t. Needs t > 0 and sigma_s > 0 (InputError otherwise); x outside [0, 1] is an error too.
double diffusion_limit_density(double t, double x, double sigma_s = 1.0);
std::vector<double> diffusion_limit_density(double t, const std::vector<double>& x,
                                            double sigma_s = 1.0);

namespace detail {
// The two exact series, each summed to rounding, exposed so tests can check they agree.
// dt = t / (3 sigma_s) > 0, x in [0, 1].
double diffusion_fourier_series(double dt, double x);
double diffusion_image_series(double dt, double x);
}  // namespace detail

}  // namespace hrgrad::reference
