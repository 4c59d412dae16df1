# SPDX-License-Identifier: MIT
# gnuplot -e "dir='DIR'; out='FILE.png'" tests/bench/plot.gp: docs/performance.png
# from report.py's import.dat (median QBUF µs per size, zcbuf kernel) and
# cpu.dat (guest CPU ms per frame per pipeline, both kernels: whole run in
# columns 2-3, steady state in 4-5).
set terminal pngcairo size 1400,1000 noenhanced font ",10"
set output out
set multiplot layout 3,1
set logscale xy 2
set xlabel "buffer size (MiB)"
set ylabel "QBUF median (µs)"
set key outside right
set grid
do for [q=0:1] {
	set title (q == 0 ? "import cost per QBUF, vivid capture (vb2-vmalloc), zcbuf kernel" : \
		"import cost per QBUF, vim2m OUTPUT, zcbuf kernel")
	plot for [c=2+q*9:10+q*9] dir.'/import.dat' using 1:c with linespoints title columnhead(c)
}
unset logscale
set title "guest CPU per frame, vivid -> vim2m 640x480: whole run, and steady state without start-up (user+system of the whole guest, /proc/stat; 0: refused or not measured)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
set xlabel ""
set ylabel "ms per frame"
plot dir.'/cpu.dat' using 2:xtic(1) title "zcbuf kernel, whole run", '' using 4 title "zcbuf kernel, steady state", \
	'' using 3 title "stock 6.1, whole run", '' using 5 title "stock 6.1, steady state"
unset multiplot
