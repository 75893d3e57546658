import LongMemTensor

// OpenBLAS chooses its kernels when it loads, before this line; re-executing with OPENBLAS_CORETYPE
// set is the only way to get its AVX-512 kernels on CPUs it does not recognise (see README).
OpenBLASKernelSelection.relaunchWithAVX512KernelsIfNeeded()
LongMemEval.main()
