#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmpatch.pl IN OUT [EDIT...] - copy an ELF64 little-endian vmcore and edit
# it at physical addresses, to make corrupt kho-v1 inputs from the upstream
# fixtures (the project's spec-driven generator does not exist yet).
#
#   u64@PA=VAL     store VAL (hex or decimal) as a little-endian u64 at PA
#   u32@PA=VAL     same, u32
#   add64@PA=VAL   add VAL to the u64 at PA (mod 2^64)
#   swap16@PA=PA2  swap the 16 bytes at PA and PA2 (two chunk entries)
#   osrelease=REL  add a VMCOREINFO note with OSRELEASE=REL and PAGESIZE=4096
#   read64@PA      print the u64 at PA in hex (the output file is still written)
#
# PA must lie inside one PT_LOAD with file bytes; anything else is an error,
# so a test cannot silently patch nothing.
use strict;
use warnings;
no warnings "portable";

die "usage: vmpatch.pl IN OUT [EDIT...]\n" if @ARGV < 2;
my ($in, $out, @edits) = @ARGV;

open(my $fh, '<:raw', $in) or die "vmpatch: cannot open '$in': $!\n";
my $img = do { local $/; <$fh> };
close($fh);

die "vmpatch: '$in' is not an ELF64 little-endian file\n"
	unless substr($img, 0, 6) eq "\x7fELF\x02\x01";
my ($phoff) = unpack('Q<', substr($img, 0x20, 8));
my ($phentsize, $phnum) = unpack('v v', substr($img, 0x36, 4));

my @loads;
for my $i (0 .. $phnum - 1) {
	my $ph = substr($img, $phoff + $i * $phentsize, $phentsize);
	my ($type) = unpack('V', $ph);
	my ($off, undef, $paddr, $filesz) = unpack('Q< Q< Q< Q<', substr($ph, 8, 32));
	push @loads, [$paddr, $filesz, $off] if $type == 1;
}

sub num { my $s = shift; return $s =~ /^0x/i ? hex($s) : $s + 0; }

sub foff {
	my ($pa, $len) = @_;
	for my $l (@loads) {
		my ($p, $sz, $o) = @$l;
		return $o + ($pa - $p) if $pa >= $p && $pa + $len <= $p + $sz;
	}
	die sprintf("vmpatch: 0x%x is not in the dump\n", $pa);
}

my $note;
for my $e (@edits) {
	if ($e =~ /^(u64|u32|add64)@(\w+)=(\w+)$/) {
		my ($op, $pa, $v) = ($1, num($2), num($3));
		if ($op eq 'u32') {
			substr($img, foff($pa, 4), 4) = pack('V', $v);
		} else {
			my $o = foff($pa, 8);
			$v += unpack('Q<', substr($img, $o, 8)) if $op eq 'add64';
			substr($img, $o, 8) = pack('Q<', $v);
		}
	} elsif ($e =~ /^swap16@(\w+)=(\w+)$/) {
		my ($a, $b) = (foff(num($1), 16), foff(num($2), 16));
		my $t = substr($img, $a, 16);
		substr($img, $a, 16) = substr($img, $b, 16);
		substr($img, $b, 16) = $t;
	} elsif ($e =~ /^read64@(\w+)$/) {
		printf("0x%x\n", unpack('Q<', substr($img, foff(num($1), 8), 8)));
	} elsif ($e =~ /^osrelease=(.+)$/) {
		$note = "OSRELEASE=$1\nPAGESIZE=4096\n";
	} else {
		die "vmpatch: bad edit '$e'\n";
	}
}

if (defined $note) {
	# Append the note, then a new program header table with a PT_NOTE.
	my $name = "VMCOREINFO\0";
	my $pad = sub { my $s = shift; $s . ("\0" x ((4 - length($s) % 4) % 4)) };
	my $n = pack('V V V', length($name), length($note), 0) .
		$pad->($name) . $pad->($note);
	$img .= "\0" x ((8 - length($img) % 8) % 8);
	my $noff = length($img);
	$img .= $n;
	$img .= "\0" x ((8 - length($img) % 8) % 8);
	my $newph = length($img);
	$img .= substr($img, $phoff, $phnum * $phentsize);
	$img .= pack('V V Q< Q< Q< Q< Q< Q<', 4, 0, $noff, 0, 0,
		     length($n), 0, 4);
	substr($img, 0x20, 8) = pack('Q<', $newph);
	substr($img, 0x38, 2) = pack('v', $phnum + 1);
}

open(my $oh, '>:raw', $out) or die "vmpatch: cannot write '$out': $!\n";
print $oh $img;
close($oh) or die "vmpatch: cannot write '$out': $!\n";
