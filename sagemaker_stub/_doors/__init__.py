"""_doors"""
