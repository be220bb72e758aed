/* SPDX-License-Identifier: MIT */
/*
 * display_sdl.c - the SDL2 display backend: scanout 0 in a resizable
 * window titled "virtsim", the guest's cursor drawn over it, window
 * events served on the main thread from the machine's event loop.
 *
 * The window shows the shadow through one streaming texture the size of
 * the mode; a present uploads only the changed rectangle, then draws the
 * whole texture scaled to the window (letterboxed: SDL's logical size),
 * the cursor on top, and presents. After the guest follows a resize the
 * scale is 1:1.
 */
#include "devices/gpu/display.h"

#include <SDL.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often window events are pumped, in real time. */
#define SDL_PUMP_INTERVAL_NS 10000000ll

struct sdl_display {
	struct display d;   /* first: display_destroy hands us &d */
	bool video_started; /* our reference on SDL's video subsystem */
	SDL_Window *window;
	SDL_Renderer *renderer;
	SDL_Texture *screen; /* d.width x d.height; NULL while disabled */
	SDL_Texture *cursor; /* DISPLAY_CURSOR_SIZE squared */
	/* What the cursor texture holds, so a move uploads nothing. */
	uint8_t cursor_uploaded[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * 4];
	uint32_t mode_width, mode_height; /* the last mode's size */
	struct evloop *loop;		  /* NULL: events pumped by present */
	struct ev_source events;
	int64_t next_pump_ns;
};

static struct sdl_display *to_sdl(struct display *d)
{
	return (struct sdl_display *)d;
}

/*
 * The shadow's bytes are B, G, R, X; SDL_PIXELFORMAT_BGRA32 names that
 * byte order on any host (it is ARGB8888 on a little-endian one).
 */
#define SDL_SHADOW_FORMAT SDL_PIXELFORMAT_BGRA32

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Draw the frame: scanout (or black), cursor over it. */
static void sdl_render(struct sdl_display *s)
{
	struct display *d = &s->d;

	SDL_SetRenderDrawColor(s->renderer, 0, 0, 0, 255);
	SDL_RenderClear(s->renderer);
	if (d->enabled && s->screen) {
		SDL_RenderCopy(s->renderer, s->screen, NULL, NULL);
		if (d->cursor_visible && s->cursor) {
			/* Scanout coordinates: the logical size scales them. */
			SDL_Rect at = {
			    .x = d->cursor_x - (int)d->cursor_hot_x,
			    .y = d->cursor_y - (int)d->cursor_hot_y,
			    .w = DISPLAY_CURSOR_SIZE,
			    .h = DISPLAY_CURSOR_SIZE,
			};

			SDL_RenderCopy(s->renderer, s->cursor, NULL, &at);
		}
	}
	SDL_RenderPresent(s->renderer);
}

static void sdl_handle_window_event(struct sdl_display *s,
				    const SDL_WindowEvent *ev)
{
	struct display *d = &s->d;

	if (ev->windowID != SDL_GetWindowID(s->window))
		return;
	switch (ev->event) {
	case SDL_WINDOWEVENT_SIZE_CHANGED:
		/* The window following the guest's own mode is no news to
		 * the guest; telling it would echo back as a mode change. */
		if (d->listener.resized && ev->data1 > 0 && ev->data2 > 0 &&
		    ((uint32_t)ev->data1 != d->width ||
		     (uint32_t)ev->data2 != d->height))
			d->listener.resized(d->listener.opaque,
					    (uint32_t)ev->data1,
					    (uint32_t)ev->data2);
		sdl_render(s);
		break;
	case SDL_WINDOWEVENT_SHOWN:
	case SDL_WINDOWEVENT_EXPOSED:
		/* X drops what was drawn before the window was mapped. */
		sdl_render(s);
		break;
	case SDL_WINDOWEVENT_CLOSE:
		d->closed = true;
		break;
	default:
		break;
	}
}

/* Serve the window's events; true if there were any. */
static bool sdl_pump(struct sdl_display *s)
{
	SDL_Event ev;
	bool any = false;

	s->next_pump_ns = monotonic_ns() + SDL_PUMP_INTERVAL_NS;
	while (SDL_PollEvent(&ev)) {
		any = true;
		if (ev.type == SDL_QUIT)
			s->d.closed = true;
		else if (ev.type == SDL_WINDOWEVENT)
			sdl_handle_window_event(s, &ev.window);
	}
	return any;
}

static void sdl_pump_if_due(struct sdl_display *s)
{
	if (monotonic_ns() >= s->next_pump_ns)
		sdl_pump(s);
}

/*
 * Window events come from the event loop through a poll source with no
 * fds, only a timeout: it wakes a waiting loop when the next pump is due.
 * Not a periodic timer: an armed timer would keep the loop from ever
 * going idle (the HAL's wait could no longer say nothing will happen)
 * and would move the virtual clock 10 ms at every empty step. The price
 * of a source: while the window is open the loop counts as watching
 * host fds, so virtual time runs no faster than real time, which is
 * what a window someone watches wants anyway.
 */
static void sdl_events_fill(void *opaque, struct ev_source *src,
			    int *timeout_ms)
{
	struct sdl_display *s = opaque;
	int64_t left = s->next_pump_ns - monotonic_ns();
	int ms = left > 0 ? (int)((left + 999999) / 1000000) : 0;

	if (*timeout_ms < 0 || ms < *timeout_ms)
		*timeout_ms = ms;
}

static bool sdl_events_dispatch(void *opaque, struct ev_source *src)
{
	struct sdl_display *s = opaque;

	return monotonic_ns() >= s->next_pump_ns && sdl_pump(s);
}

static int sdl_set_mode(struct display *d)
{
	struct sdl_display *s = to_sdl(d);

	if (s->screen) {
		SDL_DestroyTexture(s->screen);
		s->screen = NULL;
	}
	if (d->enabled) {
		s->screen = SDL_CreateTexture(s->renderer, SDL_SHADOW_FORMAT,
					      SDL_TEXTUREACCESS_STREAMING,
					      (int)d->width, (int)d->height);
		if (!s->screen)
			return -ENOMEM;
		/* The X byte is not alpha. */
		SDL_SetTextureBlendMode(s->screen, SDL_BLENDMODE_NONE);
		SDL_UpdateTexture(s->screen, NULL, d->shadow,
				  (int)d->width * 4);
		SDL_RenderSetLogicalSize(s->renderer, (int)d->width,
					 (int)d->height);
		/* The window follows the guest's new resolutions, not a
		 * re-set of the same one: that would undo a user's resize
		 * the guest has not followed. */
		if (d->width != s->mode_width || d->height != s->mode_height)
			SDL_SetWindowSize(s->window, (int)d->width,
					  (int)d->height);
		s->mode_width = d->width;
		s->mode_height = d->height;
	}
	sdl_render(s);
	return 0;
}

static void sdl_present(struct display *d, uint32_t x, uint32_t y, uint32_t w,
			uint32_t h)
{
	struct sdl_display *s = to_sdl(d);
	SDL_Rect rect = {(int)x, (int)y, (int)w, (int)h};

	/* Upload only the rectangle: a full-frame upload per flush would
	 * cost width * height * 4 bytes however little changed. */
	if (s->screen && w && h)
		SDL_UpdateTexture(s->screen, &rect,
				  d->shadow + ((size_t)y * d->width + x) * 4,
				  (int)d->width * 4);
	sdl_render(s);
	/* In sync mode the loop runs only when the guest waits: a guest
	 * that keeps drawing would leave the window unserved. */
	sdl_pump_if_due(s);
}

static void sdl_cursor(struct display *d)
{
	struct sdl_display *s = to_sdl(d);

	if (d->cursor_visible && memcmp(s->cursor_uploaded, d->cursor_image,
					sizeof(s->cursor_uploaded)) != 0) {
		SDL_UpdateTexture(s->cursor, NULL, d->cursor_image,
				  DISPLAY_CURSOR_SIZE * 4);
		memcpy(s->cursor_uploaded, d->cursor_image,
		       sizeof(s->cursor_uploaded));
	}
	sdl_render(s);
	sdl_pump_if_due(s);
}

static void sdl_destroy(struct display *d)
{
	struct sdl_display *s = to_sdl(d);

	if (s->loop)
		evloop_source_del(s->loop, &s->events);
	if (s->screen)
		SDL_DestroyTexture(s->screen);
	if (s->cursor)
		SDL_DestroyTexture(s->cursor);
	if (s->renderer)
		SDL_DestroyRenderer(s->renderer);
	if (s->window)
		SDL_DestroyWindow(s->window);
	if (s->video_started)
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	/* The last user shuts SDL down, so nothing of it outlives us. */
	if (!SDL_WasInit(SDL_INIT_EVERYTHING))
		SDL_Quit();
	free(s);
}

static const struct display_ops sdl_ops = {
    .name = "sdl",
    .set_mode = sdl_set_mode,
    .present = sdl_present,
    .cursor = sdl_cursor,
    .destroy = sdl_destroy,
};

/* SDL must not turn SIGINT and SIGTERM into SDL_QUIT: the CLI owns them. */
static int sdl_video_init(void)
{
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	return SDL_InitSubSystem(SDL_INIT_VIDEO);
}

/*
 * A successful probe keeps its reference on SDL's video for the
 * display_sdl_create that follows: letting go would close the last X
 * connection, and a freshly started X server (Xvfb without -noreset)
 * resets then, taking down the window being made meanwhile.
 */
static bool probe_holds_video;

/* Set and not empty: "DISPLAY= cmd" means no display. */
static bool env_given(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

bool display_sdl_available(const char **driver)
{
	static char name[32];
	bool asked = env_given("SDL_VIDEODRIVER");
	const char *current;

	/* Without a window system SDL would still start its offscreen
	 * driver (EGL): no window anyone sees, so auto means headless. */
	if (!asked && !env_given("DISPLAY") && !env_given("WAYLAND_DISPLAY")) {
		*driver = "no DISPLAY or WAYLAND_DISPLAY";
		return false;
	}
	if (!probe_holds_video && sdl_video_init() != 0) {
		*driver = asked ? "SDL_VIDEODRIVER's driver did not start"
				: "no SDL video driver started";
		if (!SDL_WasInit(SDL_INIT_EVERYTHING))
			SDL_Quit();
		return false;
	}
	probe_holds_video = true;
	current = SDL_GetCurrentVideoDriver();
	snprintf(name, sizeof(name), "%s", current ? current : "?");
	if (!asked && (!strcmp(name, "offscreen") || !strcmp(name, "dummy"))) {
		probe_holds_video = false;
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		if (!SDL_WasInit(SDL_INIT_EVERYTHING))
			SDL_Quit();
		*driver = "no window system, only SDL's offscreen drivers";
		return false;
	}
	*driver = name;
	return true;
}

struct display *display_sdl_create(struct sim_env *env, uint32_t width,
				   uint32_t height, char *err, size_t errlen)
{
	struct sdl_display *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory for the SDL display");
		return NULL;
	}
	s->d.ops = &sdl_ops;
	if (probe_holds_video)
		probe_holds_video = false; /* its reference is ours now */
	else if (sdl_video_init() != 0) {
		snprintf(err, errlen, "display=sdl: SDL video: %s",
			 SDL_GetError());
		goto fail;
	}
	s->video_started = true;
	s->window =
	    SDL_CreateWindow("virtsim", SDL_WINDOWPOS_UNDEFINED,
			     SDL_WINDOWPOS_UNDEFINED, width ? (int)width : 1,
			     height ? (int)height : 1, SDL_WINDOW_RESIZABLE);
	if (!s->window) {
		snprintf(err, errlen, "display=sdl: window: %s",
			 SDL_GetError());
		goto fail;
	}
	/* No vsync: presenting must never wait for the host's screen. */
	s->renderer =
	    SDL_CreateRenderer(s->window, -1, SDL_RENDERER_ACCELERATED);
	if (!s->renderer)
		s->renderer =
		    SDL_CreateRenderer(s->window, -1, SDL_RENDERER_SOFTWARE);
	if (!s->renderer) {
		snprintf(err, errlen, "display=sdl: renderer: %s",
			 SDL_GetError());
		goto fail;
	}
	s->cursor = SDL_CreateTexture(s->renderer, SDL_SHADOW_FORMAT,
				      SDL_TEXTUREACCESS_STREAMING,
				      DISPLAY_CURSOR_SIZE, DISPLAY_CURSOR_SIZE);
	if (!s->cursor) {
		snprintf(err, errlen, "display=sdl: cursor texture: %s",
			 SDL_GetError());
		goto fail;
	}
	SDL_SetTextureBlendMode(s->cursor, SDL_BLENDMODE_BLEND);
	SDL_UpdateTexture(s->cursor, NULL, s->cursor_uploaded,
			  DISPLAY_CURSOR_SIZE * 4);
	s->mode_width = width;
	s->mode_height = height;
	if (env && env->loop) {
		ev_source_init(&s->events, sdl_events_fill, sdl_events_dispatch,
			       s);
		if (evloop_source_add(env->loop, &s->events) < 0) {
			snprintf(err, errlen,
				 "display=sdl: cannot serve its window events");
			goto fail;
		}
		s->loop = env->loop;
	}
	sdl_render(s);
	return &s->d;
fail:
	sdl_destroy(&s->d);
	return NULL;
}

uint32_t display_sdl_window_id(const struct display *d)
{
	if (d->ops != &sdl_ops)
		return 0;
	return SDL_GetWindowID(((const struct sdl_display *)d)->window);
}
