/* Reference B: the smallest useful libfcgi responder, the ceiling for any FastCGI backend
 * behind the same nginx. usage: ref-fcgi SOCKET_PATH PROCESSES
 * Opens the unix socket, forks PROCESSES-1 children (they die with the parent), and every
 * process answers each request with a fixed 200. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    int fd = FCGX_OpenSocket(argv[1], 1024);
    chmod(argv[1], 0666);
    for (int i = 1; i < atoi(argv[2]); i++) {
        if (fork() == 0) { prctl(PR_SET_PDEATHSIG, SIGKILL); break; }
    }
    FCGX_Init();
    FCGX_Request request;
    FCGX_InitRequest(&request, fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n", request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
