/*
 * main.c — wlportal's entry point; everything else starts in cli.c. Before
 * any thread exists, jansson's memory is made to wipe itself on release
 * (parsed bodies may hold secrets).
 */
#include "cli.h"
#include "services/json_alloc.h"

int
main(int argc, char **argv)
{
	json_alloc_install_wiping();
	return cli_main(argc, argv);
}
