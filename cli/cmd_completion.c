/*
 * runs in: ttp, any user.
 *
 * ttp completion bash|zsh|fish|table: a completion script for the shell,
 * made from the tables the command line is parsed with: the command table
 * and the global options (main.c), each command's getopt_long table and
 * its subcommands (cli/commands.h). The build runs it for the scripts
 * `make install` installs (cli/CMakeLists.txt), so what a shell offers is
 * what the commands accept. `table` prints those tables and the
 * configuration keys with their defaults, one tab-separated line each: the
 * unit tests check the manual pages and the scripts against it and against
 * `--help` (tests/unit/test_manpages.sh, tests/unit/test_completion_*.sh).
 * The command is documented in ttp(8) (man/ttp.8.scd).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/defaults.h"
#include "common/log.h"

/* What the value of an option is, for the shells. Options that take a
 * value and are not named here take free text (numbers, bridge lines). */
enum vkind {
	V_NONE,		/* takes no value */
	V_FREE,
	V_FILE,
	V_WORDS,	/* one of `words` */
	V_USERS,	/* user names, comma-separated */
	V_GROUPS,	/* group names, comma-separated */
	V_IFACE,	/* a network interface */
};

static const struct value {
	const char	*opt;
	enum vkind	 kind;
	const char	*words;
	bool		 repeat;	/* may be given more than once */
} values[] = {
	{ "config",		V_FILE,		NULL,		false },
	{ "bridge-file",	V_FILE,		NULL,		false },
	{ "log-format",		V_WORDS,	"text json",	false },
	{ "bypass-user",	V_USERS,	NULL,		true },
	{ "bypass-group",	V_GROUPS,	NULL,		true },
	{ "user",		V_USERS,	NULL,		false },	/* run */
	{ "interface",		V_IFACE,	NULL,		false },
	{ "gateway",		V_IFACE,	NULL,		true },
	{ "bridge",		V_FREE,		NULL,		true },
	{ "rotate",		V_FREE,		NULL,		false },	/* 10m, 1h */
};

/* One option as the completions see it. */
struct copt {
	const char	*name;		/* long name, or NULL */
	char		 shrt;		/* short letter, or 0 */
	enum vkind	 kind;
	const char	*words;
	bool		 repeat;
	bool		 internal;	/* ttp's own or the tests': not offered */
	bool		 alone;		/* --help, --version: nothing after */
};

#define MAXOPTS		64
#define ADD_INTERNAL	0x01	/* keep the internal options */
#define ADD_GLOBALS	0x02	/* the global options after a command */

static bool
is_internal(const struct optable *t, const char *name)
{
	const char *const	*p;

	for (p = t->internal; p != NULL && *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static void
set_kind(struct copt *c, int has_arg)
{
	size_t	 i;

	c->kind = has_arg == no_argument ? V_NONE : V_FREE;
	if (c->kind == V_NONE || c->name == NULL)
		return;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (strcmp(values[i].opt, c->name) == 0) {
			c->kind = values[i].kind;
			c->words = values[i].words;
			c->repeat = values[i].repeat;
		}
}

static bool
defined(const struct copt *o, size_t n, const struct copt *c)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((c->name != NULL && o[i].name != NULL &&
		    strcmp(c->name, o[i].name) == 0) ||
		    (c->shrt != 0 && c->shrt == o[i].shrt))
			return true;
	return false;
}

static size_t
add(struct copt *o, size_t n, const struct copt *c, int flags)
{
	if (c->internal && !(flags & ADD_INTERNAL))
		return n;
	if ((flags & ADD_GLOBALS) && (c->alone || defined(o, n, c)))
		return n;
	if (n == MAXOPTS)
		fatalx("completion: more than %d options", MAXOPTS);
	o[n] = *c;
	return n + 1;
}

/* Append the options of table t to o[0..n); the new count. */
static size_t
add_table(const struct optable *t, int flags, struct copt *o, size_t n)
{
	const struct option	*op;
	const char		*s;
	struct copt		 c;

	for (op = t->opts; op->name != NULL; op++) {
		memset(&c, 0, sizeof(c));
		c.name = op->name;
		if (op->flag == NULL && op->val > 0 && op->val < 0x100 &&
		    strchr(t->shortopts, op->val) != NULL)
			c.shrt = (char)op->val;
		c.internal = is_internal(t, op->name);
		c.alone = strcmp(op->name, "help") == 0 ||
		    strcmp(op->name, "version") == 0;
		set_kind(&c, op->has_arg);
		n = add(o, n, &c, flags);
	}
	/* Short options without a long name. */
	for (s = t->shortopts; *s != '\0'; s++) {
		if (*s == '+' || *s == '-' || *s == ':')
			continue;
		for (op = t->opts; op->name != NULL; op++)
			if (op->flag == NULL && op->val == *s)
				break;
		if (op->name != NULL)
			continue;
		memset(&c, 0, sizeof(c));
		c.shrt = *s;
		c.kind = s[1] == ':' ? V_FREE : V_NONE;
		n = add(o, n, &c, flags);
	}
	return n;
}

/* What a shell offers at one place of the line: the table's options, and
 * after a command the global options it does not define itself. */
static size_t
context_opts(const struct optable *t, struct copt *o)
{
	size_t	 n;

	n = add_table(t, 0, o, 0);
	if (t != &global_optable)
		n = add_table(&global_optable, ADD_GLOBALS, o, n);
	return n;
}

/* Append to o[0..*k) the options of t that take a value and are not
 * there yet. */
static void
add_valued(const struct optable *t, struct copt *o, size_t *k)
{
	struct copt	 all[MAXOPTS];
	size_t		 i, n;

	n = add_table(t, 0, all, 0);
	for (i = 0; i < n; i++) {
		if (all[i].kind == V_NONE || defined(o, *k, &all[i]))
			continue;
		if (*k == MAXOPTS)
			fatalx("completion: more than %d options", MAXOPTS);
		o[(*k)++] = all[i];
	}
}

/* Every option of every table that takes a value, each name once: the
 * words after which the next word is a value. */
static size_t
valued_opts(struct copt *o)
{
	const struct command	*c;
	const struct subcommand	*s;
	size_t			 k = 0;

	add_valued(&global_optable, o, &k);
	for (c = cli_commands; c->name != NULL; c++) {
		add_valued(c->opts, o, &k);
		for (s = c->subs; s != NULL && s->name != NULL; s++)
			add_valued(s->opts, o, &k);
	}
	return k;
}

/* Shell single quotes (sh, bash, zsh). */
static void
sq(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			fputs("'\\''", fp);
		else
			fputc(*s, fp);
	fputc('\'', fp);
}

/* fish single quotes: \ and ' are escaped with a backslash. */
static void
fq(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('\'', fp);
}

static const char *
kind_name(const struct copt *c)
{
	switch (c->kind) {
	case V_NONE:
		return "-";
	case V_FREE:
		return "value";
	case V_FILE:
		return "file";
	case V_WORDS:
		return "words";
	case V_USERS:
		return "user-list";
	case V_GROUPS:
		return "group-list";
	case V_IFACE:
		return "interface";
	}
	return "?";
}

static void
print_words(FILE *fp, const struct copt *o, size_t n)
{
	size_t	 i;
	int	 sp = 0;

	for (i = 0; i < n; i++) {
		if (o[i].name != NULL)
			fprintf(fp, "%s--%s", sp++ ? " " : "", o[i].name);
		if (o[i].shrt != 0)
			fprintf(fp, "%s-%c", sp++ ? " " : "", o[i].shrt);
	}
}

/* ---- table ---- */

static void
table_opts(const char *ctx, const struct optable *t)
{
	struct copt	 o[MAXOPTS];
	size_t		 i, n;

	n = add_table(t, ADD_INTERNAL, o, 0);
	for (i = 0; i < n; i++) {
		printf("option\t%s\t", ctx);
		if (o[i].name != NULL)
			printf("--%s", o[i].name);
		else
			printf("-");
		if (o[i].shrt != 0)
			printf("\t-%c", o[i].shrt);
		else
			printf("\t-");
		if (o[i].kind == V_WORDS)
			printf("\t%s", o[i].words);
		else
			printf("\t%s", kind_name(&o[i]));
		printf("%s\n", o[i].internal ? "\tinternal" : "");
	}
}

static int
print_table(void)
{
	const struct command	*c;
	const struct subcommand	*s;
	struct ttp_config	 cfg;
	const char		*sec, *name;
	char			 ctx[64], v[TTP_MAX_IP_URLS * TTP_CONF_URL_MAX];
	size_t			 i;

	table_opts("-", &global_optable);
	for (c = cli_commands; c->name != NULL; c++) {
		printf("command\t%s\t%s\n", c->name, c->what);
		table_opts(c->name, c->opts);
		for (s = c->subs; s != NULL && s->name != NULL; s++) {
			printf("subcommand\t%s\t%s\n", c->name, s->name);
			snprintf(ctx, sizeof(ctx), "%s %s", c->name, s->name);
			table_opts(ctx, s->opts);
		}
	}
	config_defaults(&cfg);
	for (i = 0; i < config_key_count(); i++) {
		if (config_key(i, &cfg, &sec, &name, v, sizeof(v)) == -1)
			fatalx("completion: key %zu", i);
		printf("key\t%s\t%s\t%s\n", sec, name, v);
	}
	return fflush(stdout) == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}

/* ---- bash ---- */

static void
bash_case_opts(const char *ctx, const struct optable *t)
{
	struct copt	 o[MAXOPTS];
	size_t		 n;

	n = context_opts(t, o);
	printf("\t");
	sq(stdout, ctx);
	printf(") echo ");
	putchar('\'');
	print_words(stdout, o, n);
	puts("' ;;");
}

static int
print_bash(void)
{
	const struct command	*c;
	const struct subcommand	*s;
	struct copt		 v[MAXOPTS];
	char			 ctx[64];
	size_t			 i, n;

	puts("# bash completion for ttp(8). Generated by 'ttp completion bash' "
	    "from the\n# option tables ttp parses its command line with; do "
	    "not edit.\n");
	puts("# The options offered after 'ttp [CMD [SUB]]'.\n"
	    "_ttp_opts()\n{\n\tcase $1 in");
	bash_case_opts("", &global_optable);
	for (c = cli_commands; c->name != NULL; c++) {
		bash_case_opts(c->name, c->opts);
		for (s = c->subs; s != NULL && s->name != NULL; s++) {
			snprintf(ctx, sizeof(ctx), "%s %s", c->name, s->name);
			bash_case_opts(ctx, s->opts);
		}
	}
	puts("\tesac\n}\n");
	puts("# The words offered after 'ttp [CMD]': commands, subcommands.\n"
	    "_ttp_subs()\n{\n\tcase $1 in");
	printf("\t'') echo '");
	for (c = cli_commands; c->name != NULL; c++)
		printf("%s%s", c == cli_commands ? "" : " ", c->name);
	puts("' ;;");
	for (c = cli_commands; c->name != NULL; c++) {
		if (c->subs == NULL)
			continue;
		printf("\t%s) echo '", c->name);
		for (s = c->subs; s->name != NULL; s++)
			printf("%s%s", s == c->subs ? "" : " ", s->name);
		puts("' ;;");
	}
	puts("\tesac\n}\n");
	puts("# What the value of option $1 is; status 1 when it takes none.\n"
	    "_ttp_value()\n{\n\tcase $1 in");
	n = valued_opts(v);
	for (i = 0; i < n; i++) {
		printf("\t");
		if (v[i].name != NULL)
			printf("--%s%s", v[i].name, v[i].shrt ? "|" : "");
		if (v[i].shrt != 0)
			printf("-%c", v[i].shrt);
		if (v[i].kind == V_WORDS)
			printf(") echo 'words:%s' ;;\n", v[i].words);
		else
			printf(") echo %s ;;\n", kind_name(&v[i]));
	}
	puts("\t*) return 1 ;;\n\tesac\n}\n");
	puts(
"_ttp()\n"
"{\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd='' sub='' opt='' pre='' kind\n"
"\tlocal i w words flag d ifs=''\n"
"\n"
"\t# The command and its subcommand: the first words that are neither\n"
"\t# an option nor an option's value ('--opt=value' may be three words).\n"
"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
"\t\tw=${COMP_WORDS[i]}\n"
"\t\tif [[ $w == -* ]]; then\n"
"\t\t\tif [[ $w != *=* ]] && _ttp_value \"$w\" >/dev/null; then\n"
"\t\t\t\t((i++))\n"
"\t\t\t\t[[ ${COMP_WORDS[i]:-} == = ]] && ((i++))\n"
"\t\t\tfi\n"
"\t\telif [[ -z $cmd ]]; then\n"
"\t\t\tcmd=$w\n"
"\t\telif [[ -z $sub && -n $(_ttp_subs \"$cmd\") ]]; then\n"
"\t\t\tsub=$w\n"
"\t\tfi\n"
"\tdone\n"
"\n"
"\t# The value of an option: --opt VALUE, --opt=VALUE.\n"
"\tif [[ $cur == --*=* ]]; then\n"
"\t\topt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}\n"
"\telif [[ $cur == = ]] && ((COMP_CWORD >= 2)); then\n"
"\t\topt=${COMP_WORDS[COMP_CWORD-1]} cur=''\n"
"\telif ((COMP_CWORD >= 3)) && [[ ${COMP_WORDS[COMP_CWORD-1]} == = ]]; then\n"
"\t\topt=${COMP_WORDS[COMP_CWORD-2]}\n"
"\telif ((COMP_CWORD >= 2)); then\n"
"\t\topt=${COMP_WORDS[COMP_CWORD-1]}\n"
"\tfi\n"
"\tif [[ $opt == -* ]] && kind=$(_ttp_value \"$opt\"); then\n"
"\t\tCOMPREPLY=()\n"
"\t\tcase $kind in\n"
"\t\tfile)\n"
"\t\t\tcompopt -o filenames 2>/dev/null\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -f -P \"$pre\" -- \"$cur\") ;;\n"
"\t\tuser-list|group-list)\n"
"\t\t\tflag=-u\n"
"\t\t\t[[ $kind == group-list ]] && flag=-g\n"
"\t\t\t[[ $cur == *,* ]] && pre=$pre${cur%,*}, cur=${cur##*,}\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen \"$flag\" -P \"$pre\" -- \"$cur\") ;;\n"
"\t\tinterface)\n"
"\t\t\tfor d in /sys/class/net/*; do\n"
"\t\t\t\t[[ -e $d ]] && ifs+=\" ${d##*/}\"\n"
"\t\t\tdone\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$ifs\" -P \"$pre\" -- \"$cur\") ;;\n"
"\t\twords:*)\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"${kind#words:}\" -P \"$pre\" -- \"$cur\") ;;\n"
"\t\tesac\n"
"\t\treturn 0\n"
"\tfi\n"
"\n"
"\twords=''\n"
"\t[[ -z $sub ]] && words=$(_ttp_subs \"$cmd\")\n"
"\tif [[ $cur == -* || -z $words ]]; then\n"
"\t\twords=$(_ttp_opts \"$cmd${sub:+ $sub}\")\n"
"\tfi\n"
"\tmapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
"}\n"
"complete -F _ttp ttp");
	return fflush(stdout) == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}

/* ---- zsh ---- */

static void
zsh_action(const struct copt *c)
{
	const char	*meta = c->name != NULL ? c->name : "value";

	switch (c->kind) {
	case V_NONE:
		return;
	case V_FREE:
		printf(":%s: ", meta);
		return;
	case V_FILE:
		printf(":%s:_files", meta);
		return;
	case V_WORDS:
		printf(":%s:(%s)", meta, c->words);
		return;
	case V_USERS:
		printf(":%s:_sequence -s , _users", meta);
		return;
	case V_GROUPS:
		printf(":%s:_sequence -s , _groups", meta);
		return;
	case V_IFACE:
		printf(":%s:_net_interfaces", meta);
		return;
	}
}

/* The _arguments specs of one option, each on a line of its own. */
static void
zsh_specs(const struct copt *c, const char *indent)
{
	char	 excl[80] = "";

	if (c->alone)
		snprintf(excl, sizeof(excl), "(- *)");
	else if (c->name != NULL && c->shrt != 0)
		snprintf(excl, sizeof(excl), "(-%c --%s)", c->shrt, c->name);
	if (c->name != NULL) {
		printf(" \\\n%s\t'%s%s--%s%s", indent, excl,
		    c->repeat ? "*" : "", c->name, c->kind != V_NONE ? "=" : "");
		zsh_action(c);
		putchar('\'');
	}
	if (c->shrt != 0) {
		printf(" \\\n%s\t'%s%s-%c%s", indent, excl,
		    c->repeat ? "*" : "", c->shrt, c->kind != V_NONE ? "+" : "");
		zsh_action(c);
		putchar('\'');
	}
}

/* `_arguments` for one place of the line; with subs, the first word is
 * one of them and state `sub` completes what follows it. */
static void
zsh_arguments(const struct optable *t, const struct subcommand *subs,
    const char *what, const char *indent)
{
	const struct subcommand	*s;
	struct copt		 o[MAXOPTS];
	size_t			 i, n;

	n = context_opts(t, o);
	printf("%s_arguments -S%s", indent, subs != NULL ? " -C" : "");
	for (i = 0; i < n; i++)
		zsh_specs(&o[i], indent);
	if (subs == NULL) {
		puts(" && ret=0");
		return;
	}
	printf(" \\\n%s\t'1:%s:(", indent, what);
	for (s = subs; s->name != NULL; s++)
		printf("%s%s", s == subs ? "" : " ", s->name);
	printf(")' \\\n%s\t'*::argument:->sub' && ret=0\n", indent);
}

/* The global options, then the command (described: state `command`),
 * then what follows it (state `argument`). */
static void
zsh_global(void)
{
	struct copt	 o[MAXOPTS];
	size_t		 i, n;

	n = context_opts(&global_optable, o);
	printf("\t_arguments -S -C");
	for (i = 0; i < n; i++)
		zsh_specs(&o[i], "\t");
	puts(" \\\n\t\t'1:command:->command' \\\n"
	    "\t\t'*::argument:->argument' && ret=0");
}

static int
print_zsh(void)
{
	const struct command	*c;
	const struct subcommand	*s;
	char			 item[256];

	puts("#compdef ttp\n# zsh completion for ttp(8). Generated by 'ttp "
	    "completion zsh' from the\n# option tables ttp parses its "
	    "command line with; do not edit.\n");
	puts("_ttp()\n{\n"
	    "\tlocal curcontext=$curcontext state state_descr line ret=1\n"
	    "\ttypeset -A opt_args\n");
	zsh_global();
	puts("\tcase $state in\n\tcommand)\n\t\tlocal -a commands\n"
	    "\t\tcommands=(");
	for (c = cli_commands; c->name != NULL; c++) {
		snprintf(item, sizeof(item), "%s:%s", c->name, c->what);
		printf("\t\t\t");
		sq(stdout, item);
		putchar('\n');
	}
	puts("\t\t)\n\t\t_describe -t commands 'ttp command' commands && "
	    "ret=0\n\t\t;;\n\targument)\n"
	    "\t\tcurcontext=${curcontext%:*:*}:ttp-$words[1]:\n"
	    "\t\tcase $words[1] in");
	for (c = cli_commands; c->name != NULL; c++) {
		printf("\t\t%s)\n", c->name);
		if (c->subs == NULL) {
			zsh_arguments(c->opts, NULL, NULL, "\t\t\t");
			puts("\t\t\t;;");
			continue;
		}
		snprintf(item, sizeof(item), "%s command", c->name);
		puts("\t\t\tstate=''");
		zsh_arguments(c->opts, c->subs, item, "\t\t\t");
		puts("\t\t\t[[ $state == sub ]] &&\n\t\t\tcase $words[1] in");
		for (s = c->subs; s->name != NULL; s++) {
			printf("\t\t\t%s)\n", s->name);
			zsh_arguments(s->opts, NULL, NULL, "\t\t\t\t");
			puts("\t\t\t\t;;");
		}
		puts("\t\t\tesac\n\t\t\t;;");
	}
	puts("\t\tesac\n\t\t;;\n\tesac\n\treturn ret\n}\n\n_ttp \"$@\"");
	return fflush(stdout) == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}

/* ---- fish ---- */

static void
fish_opts(const char *ctx, const struct optable *t)
{
	struct copt	 o[MAXOPTS];
	char		 cond[96];
	size_t		 i, n;

	n = context_opts(t, o);
	for (i = 0; i < n; i++) {
		snprintf(cond, sizeof(cond), "__ttp_at %s", ctx);
		printf("complete -c ttp -n ");
		fq(stdout, cond);
		if (o[i].shrt != 0)
			printf(" -s %c", o[i].shrt);
		if (o[i].name != NULL)
			printf(" -l %s", o[i].name);
		switch (o[i].kind) {
		case V_NONE:
			break;
		case V_FREE:
			printf(" -x");
			break;
		case V_FILE:
			printf(" -r -F");
			break;
		case V_WORDS:
			printf(" -x -a ");
			fq(stdout, o[i].words);
			break;
		case V_USERS:
			printf(" -x -a '(__fish_complete_list , "
			    "__fish_complete_users)'");
			break;
		case V_GROUPS:
			printf(" -x -a '(__fish_complete_list , "
			    "__fish_complete_groups)'");
			break;
		case V_IFACE:
			printf(" -x -a '(__fish_print_interfaces)'");
			break;
		}
		putchar('\n');
	}
}

static int
print_fish(void)
{
	const struct command	*c;
	const struct subcommand	*s;
	struct copt		 v[MAXOPTS];
	char			 ctx[64];
	size_t			 i, n;

	puts("# fish completion for ttp(8). Generated by 'ttp completion fish' "
	    "from the\n# option tables ttp parses its command line with; do "
	    "not edit.\n");
	puts("# Is the line 'ttp WORDS...', counting neither options nor the "
	    "values\n# of the options that take one?\n"
	    "function __ttp_at\n"
	    "    set -l tokens (commandline -opc)\n"
	    "    set -e tokens[1]\n"
	    "    set -l words\n"
	    "    while set -q tokens[1]\n"
	    "        switch $tokens[1]");
	n = valued_opts(v);
	printf("            case");
	for (i = 0; i < n; i++) {
		if (v[i].name != NULL)
			printf(" --%s", v[i].name);
		if (v[i].shrt != 0)
			printf(" -%c", v[i].shrt);
	}
	puts("\n                set -e tokens[1]\n"
	    "            case '-*'\n"
	    "            case '*'\n"
	    "                set -a words $tokens[1]\n"
	    "        end\n"
	    "        set -e tokens[1]\n"
	    "    end\n"
	    "    test \"$words\" = \"$argv\"\n"
	    "end\n\n"
	    "complete -c ttp -f");
	fish_opts("", &global_optable);
	for (c = cli_commands; c->name != NULL; c++) {
		printf("complete -c ttp -n '__ttp_at' -a %s -d ", c->name);
		fq(stdout, c->what);
		putchar('\n');
	}
	for (c = cli_commands; c->name != NULL; c++) {
		fish_opts(c->name, c->opts);
		for (s = c->subs; s != NULL && s->name != NULL; s++) {
			printf("complete -c ttp -n '__ttp_at %s' -a %s\n",
			    c->name, s->name);
			snprintf(ctx, sizeof(ctx), "%s %s", c->name, s->name);
			fish_opts(ctx, s->opts);
		}
	}
	return fflush(stdout) == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}

const struct subcommand completion_subs[] = {
	{ "bash",	&none_optable },
	{ "zsh",	&none_optable },
	{ "fish",	&none_optable },
	{ "table",	&none_optable },
	{ NULL, NULL }
};

/* What each of completion_subs prints, in the same order. */
static int (*const printers[])(void) = { print_bash, print_zsh, print_fish,
	print_table };
_Static_assert(sizeof(printers) / sizeof(printers[0]) ==
    sizeof(completion_subs) / sizeof(completion_subs[0]) - 1,
    "a printer for each subcommand");

int
cmd_completion(int argc, char **argv)
{
	const struct subcommand	*s;
	bool			 help = argc == 2 &&
				    (strcmp(argv[1], "-h") == 0 ||
				    strcmp(argv[1], "--help") == 0);

	for (s = completion_subs; argc == 2 && s->name != NULL; s++)
		if (strcmp(argv[1], s->name) == 0)
			return printers[s - completion_subs]();
	fputs("usage: ttp completion bash|zsh|fish|table\n"
	    "Print a completion script for the shell, made from the option "
	    "tables\nttp parses its command line with ('make install' "
	    "installs all three):\n"
	    "  source <(ttp completion bash)        bash, this shell\n"
	    "  ttp completion zsh > DIR/_ttp        zsh, DIR in $fpath\n"
	    "  ttp completion fish | source         fish, this shell\n"
	    "'table' prints the tables themselves: commands, options, the "
	    "keys of\nttp.conf and their defaults, one tab-separated line "
	    "each.\n", help ? stdout : stderr);
	return help ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}
