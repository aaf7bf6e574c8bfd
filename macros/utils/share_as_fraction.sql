{#- A share var (0.5, '0.25', 0.10) as an exact fraction [numerator, denominator] of
    integers, read from its decimal text so that no binary floating point is involved.
    name: what the share is for, in the error message; var_name: the var it comes from. -#}
{% macro share_as_fraction(name, share, var_name='winback_samples') -%}
    {%- set text = share | string | trim -%}
    {%- if not modules.re.match('^(0|1)?([.][0-9]{1,9})?$', text) or text in ('', '.') or (text | float) > 1 -%}
        {{ exceptions.raise_compiler_error(
            "The share for '" ~ name ~ "' in var " ~ var_name ~ " must be a decimal between 0 and 1 "
            ~ "(for example 0.25); got '" ~ text ~ "'.") }}
    {%- endif -%}
    {%- set whole, _, fraction = text.partition('.') -%}
    {%- set denominator = 10 ** (fraction | length) -%}
    {%- set numerator = ((whole or '0') ~ fraction) | int -%}
    {{ return([numerator, denominator]) }}
{%- endmacro %}
