/*
 * simulate.h — the simulate command (simulate.c): drives calls through the
 * engine API to measure the server.
 */
#ifndef WL_SIMULATE_H
#define WL_SIMULATE_H

int simulate_main(int argc, char **argv);

#endif
