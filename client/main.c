/* main.c - gameclient entry point: options, then the headless or window
 * front end (or the --list-servers listing). SDL is only touched by the window
 * front end. */
#include <stdio.h>

#include "cl_app.h"
#include "cl_config.h"
#include "cl_discovery.h"

int main(int argc, char **argv) {
    cl_config cfg;
    cl_config_default(&cfg);
    char err[400];
    switch (cl_config_parse(&cfg, argc, argv, err, sizeof err)) {
    case CL_ARGS_HELP: cl_config_print_help(argv[0]); return CL_EXIT_OK;
    case CL_ARGS_ERROR: fprintf(stderr, "gameclient: %s\n", err); return CL_EXIT_USAGE;
    case CL_ARGS_OK: break;
    }
    if (cfg.list_servers)
        return cl_discovery_list_run(cfg.broadcast, cfg.discovery_port,
                                     cfg.duration > 0 ? cfg.duration : CL_DISCOVERY_LIST_SECONDS, stdout);
    return cfg.headless ? cl_headless_run(&cfg) : cl_window_run(&cfg);
}
