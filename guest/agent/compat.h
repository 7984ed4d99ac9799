/* Kernel ABI bits that musl's headers lack (it ships no <linux/...> headers). The values
 * are the stable Linux UAPI ones. */
#ifndef FIREBREAK_COMPAT_H
#define FIREBREAK_COMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define FIREBREAK_VMADDR_CID_ANY 0xFFFFFFFFu

/* struct sockaddr_vm from <linux/vm_sockets.h>. */
struct firebreak_sockaddr_vm {
  sa_family_t svm_family;
  unsigned short svm_reserved1;
  unsigned int svm_port;
  unsigned int svm_cid;
  unsigned char svm_zero[sizeof(struct sockaddr) - sizeof(sa_family_t) - sizeof(unsigned short) -
                         sizeof(unsigned int) - sizeof(unsigned int)];
};

/* struct rand_pool_info and RNDADDENTROPY = _IOW('R', 0x03, int[2]) from <linux/random.h>. */
struct firebreak_rand_pool_info {
  int entropy_count;
  int buf_size;
  uint32_t buf[];
};
#define FIREBREAK_RNDADDENTROPY _IOW('R', 0x03, int[2])

#endif
