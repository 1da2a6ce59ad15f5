/*
 * main.c — wlportal's entry point; everything else starts in cli.c.
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
